import { AuthThrottle } from '../../management/throttle';

/**
 * The process's one throttle of bad management signatures, shared by every
 * function that takes a management token (`management`, `lab`): a client
 * blocked on one is blocked on all.
 */
let throttle: AuthThrottle | undefined;

export function sharedAuthThrottle(): AuthThrottle {
  return (throttle ??= new AuthThrottle());
}
