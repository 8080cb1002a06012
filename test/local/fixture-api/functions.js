// Default route prefix ("api"); FIXTURE_REFUSED selects a registration the host refuses at startup.
const { app } = require('@azure/functions');

app.http('hello', { methods: ['GET'], handler: async () => ({ body: 'hello' }) });
app.http('emptyRoute', { methods: ['GET'], route: '', handler: async () => ({ body: 'empty route' }) });

switch (process.env.FIXTURE_REFUSED) {
  case 'admin':
    app.http('adminThings', { methods: ['GET'], route: 'admin/things', handler: async () => ({ body: 'never' }) });
    break;
  case 'administration':
    app.http('administration', { methods: ['GET'], route: 'Administration/x', handler: async () => ({ body: 'never' }) });
    break;
  case 'runtime':
    app.http('runtimeThings', { methods: ['GET'], route: 'runtime/x', handler: async () => ({ body: 'never' }) });
    break;
  case 'constraint':
    app.http('badConstraint', { methods: ['GET'], route: 'items/{id:nonsense}', handler: async () => ({ body: 'never' }) });
    break;
  case 'conflict':
    app.http('helloAgain', { methods: ['GET', 'POST'], route: 'HELLO', handler: async () => ({ body: 'never' }) });
    break;
  default:
    break;
}
