// Everything of the lab endpoint inside its resource group: a Function App on the Flex
// Consumption plan, its storage (no shared keys), one user-assigned identity for every
// connection, a Key Vault (RBAC) for the management and encryption keys, and monitoring.

@description('Region for every resource.')
param location string

@description('Tags for every resource; carries azd-env-name.')
param tags object

@description('Short unique suffix for globally unique names.')
param resourceToken string

@description('Object id of the user who may read the Key Vault secrets; empty: none.')
param principalId string = ''

param apimServiceName string
param managementIdentifier string

@secure()
param managementPrimaryKey string

@secure()
param managementSecondaryKey string

@secure()
param keyEncryptionKey string

param seedLab bool = true

@description('Table that holds the catalog (CATALOG_TABLE_NAME).')
param catalogTableName string = 'apimcatalog'

@description('Upper bound of scale-out instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each instance.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

var functionAppName = 'func-apim-${resourceToken}'
var deploymentContainerName = 'app-package'

// Built-in role definition ids.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// ---------------------------------------------------------------- identity

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-apim-${resourceToken}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------- monitoring

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-apim-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-apim-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Telemetry only with a Microsoft Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
    DisableLocalAuth: true
  }
}

resource identityPublishesMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------- storage

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'stapim${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource catalogTable 'tables' = {
      name: catalogTableName
    }
  }
}

resource identityOwnsBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource identityUsesQueues 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource identityUsesTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------- key vault

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-apim-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }

  resource primaryKeySecret 'secrets' = {
    name: 'management-primary-key'
    properties: {
      value: managementPrimaryKey
      contentType: 'text/plain'
    }
  }

  resource secondaryKeySecret 'secrets' = {
    name: 'management-secondary-key'
    properties: {
      value: managementSecondaryKey
      contentType: 'text/plain'
    }
  }

  resource encryptionKeySecret 'secrets' = {
    name: 'key-encryption-key'
    properties: {
      value: keyEncryptionKey
      contentType: 'application/octet-stream;base64'
    }
  }
}

resource identityReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The person who ran azd up reads the management key from the vault to make a token.
resource userReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(keyVault.id, principalId, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: principalId
  }
}

// ---------------------------------------------------------------- function app

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-apim-${resourceToken}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Node 22: the LTS that Flex Consumption supports (Node 20's support ended 2026-04-30).
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  // No basic-auth publishing: azd deploys with a Microsoft Entra token.
  resource ftpPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }

  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Host storage through the identity; no connection string exists.
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId

      // The catalog (src/catalog/connection.ts): DefaultAzureCredential with this client id.
      CatalogStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      CatalogStorage__clientId: identity.properties.clientId
      CATALOG_TABLE_NAME: catalogTableName
      SEED_LAB: seedLab ? 'true' : 'false'

      // The emulated management API (src/management/settings.ts).
      AZURE_SUBSCRIPTION_ID: subscription().subscriptionId
      AZURE_RESOURCE_GROUP: resourceGroup().name
      APIM_SERVICE_NAME: apimServiceName
      MANAGEMENT_IDENTIFIER: managementIdentifier
      MANAGEMENT_PRIMARY_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault::primaryKeySecret.properties.secretUri})'
      MANAGEMENT_SECONDARY_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault::secondaryKeySecret.properties.secretUri})'
      KEY_ENCRYPTION_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault::encryptionKeySecret.properties.secretUri})'

      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
    }
    dependsOn: [
      identityOwnsBlobs
      identityUsesQueues
      identityUsesTables
      identityReadsSecrets
      identityPublishesMetrics
    ]
  }
}

// ---------------------------------------------------------------- health

// Flex Consumption has no platform health check (siteConfig.healthCheckPath); an
// availability test calls APIM's status endpoint instead: 200 once the app has loaded
// its catalog, 503 while it has not (storage or a Key Vault reference unresolved).
resource statusAvailabilityTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: 'status-${resourceToken}'
  location: location
  // The portal lists a test under the Application Insights resource this tag names.
  tags: union(tags, { 'hidden-link:${appInsights.id}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'status-${resourceToken}'
    Name: 'Gateway status (GET /status-0123456789abcdef)'
    Kind: 'standard'
    Enabled: true
    Frequency: 300
    Timeout: 30
    RetryEnabled: true
    Locations: [
      { Id: 'us-va-ash-azr' }
      { Id: 'emea-nl-ams-azr' }
      { Id: 'apac-sg-sin-azr' }
    ]
    Request: {
      RequestUrl: 'https://${functionApp.properties.defaultHostName}/status-0123456789abcdef'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

output functionAppName string = functionApp.name
output functionAppHostName string = functionApp.properties.defaultHostName
output keyVaultName string = keyVault.name
output keyVaultUri string = keyVault.properties.vaultUri
output storageAccountName string = storage.name
output identityClientId string = identity.properties.clientId
