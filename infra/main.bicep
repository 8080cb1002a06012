// Entry point for `azd provision` / `azd up`: one resource group per azd environment,
// everything else in resources.bicep. Parameters come from main.parameters.json, which
// maps them to values of the azd environment (.azure/<env>/.env).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('Region for every resource: one that offers the Flex Consumption plan.')
// azd offers these regions in its location prompt (azd env set AZURE_LOCATION ...).
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the signed-in user (azd sets AZURE_PRINCIPAL_ID); may read the Key Vault secrets. Empty: no assignment.')
param principalId string = ''

@description('Resource group name; empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('APIM service name that the emulated management API answers for (APIM_SERVICE_NAME).')
param apimServiceName string = 'apim-lab'

@description('SharedAccessSignature identifier (uid) of the management API (MANAGEMENT_IDENTIFIER).')
param managementIdentifier string = 'integration'

// The management keys are secure parameters whose defaults are fresh GUID pairs. When
// the azd environment holds MANAGEMENT_PRIMARY_KEY / MANAGEMENT_SECONDARY_KEY (the
// preprovision hook writes them there once), every redeploy keeps them; when it does not,
// each deployment generates and stores new keys. newGuid() is only allowed in a default.
@secure()
@minLength(32)
@description('Primary management key (MANAGEMENT_PRIMARY_KEY).')
param managementPrimaryKey string = '${newGuid()}${newGuid()}'

@secure()
@minLength(32)
@description('Secondary management key (MANAGEMENT_SECONDARY_KEY).')
param managementSecondaryKey string = '${newGuid()}${newGuid()}'

// Bicep cannot make random bytes, and an encryption key must never change by accident:
// no default. The preprovision hook generates it once into the azd environment.
@secure()
@minLength(44)
@maxLength(44)
@description('Base64 of 32 random bytes (KEY_ENCRYPTION_KEY), e.g. openssl rand -base64 32.')
param keyEncryptionKey string

@description('Whether the app writes the lab catalog (SEED_LAB) when the table is empty.')
param seedLab bool = true

var tags = {
  'azd-env-name': environmentName
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'resources'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: toLower(uniqueString(subscription().id, environmentName, location))
    principalId: principalId
    apimServiceName: apimServiceName
    managementIdentifier: managementIdentifier
    managementPrimaryKey: managementPrimaryKey
    managementSecondaryKey: managementSecondaryKey
    keyEncryptionKey: keyEncryptionKey
    seedLab: seedLab
  }
}

// azd writes these into the environment (azd env get-values).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = resources.outputs.functionAppName
output AZURE_FUNCTION_URL string = 'https://${resources.outputs.functionAppHostName}'
output AZURE_KEY_VAULT_NAME string = resources.outputs.keyVaultName
output AZURE_KEY_VAULT_ENDPOINT string = resources.outputs.keyVaultUri
output AZURE_STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output APIM_SERVICE_NAME string = apimServiceName
output MANAGEMENT_IDENTIFIER string = managementIdentifier
