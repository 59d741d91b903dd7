//! Shared set-up for the integration tests: real aws-sdk clients pointed at the emulator, and a
//! fresh, uniquely named set of resources per test so tests run in parallel without meeting.

pub mod api;
pub mod readers;
pub mod sent_mail;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use exports_aws::config::{AwsClients, ResourceNames, WebAppOrigins};
use exports_local_env::provision::{ProvisionReport, provision};

/// The emulator the tests use when `AWS_ENDPOINT_URL` is not set. Tests never fall back to real
/// AWS: an endpoint is always set.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4566";

/// The lowercase hex SHA-256 of some bytes, as jobs and download answers give it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    exports_core::service::requests::hex(&sha2::Sha256::digest(bytes))
}

/// SDK configuration for tests: `AWS_ENDPOINT_URL` (default the local emulator) and the
/// service-specific `AWS_ENDPOINT_URL_<SERVICE>` variables (the LocalStack profile sends DynamoDB
/// to moto with `AWS_ENDPOINT_URL_DYNAMODB`), region `AWS_REGION` (default us-east-1), and static
/// test credentials unless some are in the environment.
pub async fn sdk_config() -> SdkConfig {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into());
    // The functions' own HTTP client, so the tests cover it against the emulator too.
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(exports_aws::config::https_client())
        .region(Region::new(region));
    // An endpoint set in code would override the service-specific variables: set one only when
    // the environment names none, and let the loader read them otherwise.
    if std::env::var("AWS_ENDPOINT_URL").is_err() {
        loader = loader.endpoint_url(DEFAULT_ENDPOINT);
    }
    if std::env::var("AWS_ACCESS_KEY_ID").is_err() {
        loader = loader.credentials_provider(Credentials::new("test", "test", None, None, "tests"));
    }
    loader.load().await
}

/// One test's world: clients and freshly provisioned resources under a unique prefix.
pub struct TestEnv {
    pub sdk: SdkConfig,
    pub clients: AwsClients,
    /// Only provisioning and the tests touch KMS directly.
    pub kms: aws_sdk_kms::Client,
    pub names: ResourceNames,
    pub provisioned: ProvisionReport,
}

impl TestEnv {
    pub async fn new() -> Self {
        let prefix = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        Self::with_names(ResourceNames::with_prefix(&prefix)).await
    }

    /// Provisions (idempotently) the resources with these names.
    pub async fn with_names(names: ResourceNames) -> Self {
        let sdk = sdk_config().await;
        let clients = AwsClients::new(&sdk);
        let kms = aws_sdk_kms::Client::new(&sdk);
        let provisioned = provision(&clients, &kms, &names, &WebAppOrigins::default())
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "provisioning failed; is the emulator running (scripts/emulator.sh start)? {e}"
                )
            });
        Self {
            sdk,
            clients,
            kms,
            names,
            provisioned,
        }
    }

    pub fn records(&self) -> exports_aws::records_store::DynamoRecords {
        exports_aws::records_store::DynamoRecords::new(
            self.clients.dynamodb.clone(),
            &self.names.records_table,
        )
    }

    /// Every item of a table, sorted, for before/after comparisons.
    pub async fn table_snapshot(&self, table: &str) -> Vec<String> {
        let items: Vec<_> = self
            .clients
            .dynamodb
            .scan()
            .table_name(table)
            .consistent_read(true)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .expect("scan");
        let mut rows: Vec<String> = items
            .iter()
            // serde_json's maps are sorted, so equal items print equally.
            .map(|item| {
                serde_dynamo::from_item::<_, serde_json::Value>(item.clone())
                    .expect("item")
                    .to_string()
            })
            .collect();
        rows.sort();
        rows
    }
}
