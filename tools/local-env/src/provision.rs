//! Creates every resource of [`exports_aws::resources`] on an AWS-protocol endpoint, idempotently:
//! what exists is checked against its definition and left alone, what is missing is created.
//! Used against the local emulator; in AWS the SAM template creates the same resources.

use std::fmt;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    PointInTimeRecoverySpecification, Projection, ProjectionType, ScalarAttributeType,
    TableDescription, TimeToLiveSpecification,
};
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, CorsConfiguration, CorsRule,
    ExpirationStatus, LifecycleExpiration, LifecycleRule, LifecycleRuleFilter, ObjectOwnership,
    OwnershipControls, OwnershipControlsRule, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use aws_sdk_sqs::types::QueueAttributeName;

use exports_aws::config::{AwsClients, ResourceNames, WebAppOrigins};
use exports_aws::error::sdk_message;
use exports_aws::resources::{self, EXPORTS_BUCKET, Key, QueueSpec, TABLES, TableSpec};

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("{0}")]
    Aws(String),
    /// A resource exists but differs from its definition; provisioning will not alter it.
    #[error("{resource} exists but differs from its definition: {detail}")]
    Drift { resource: String, detail: String },
}

/// What one provisioning run did, resource by resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProvisionReport {
    pub lines: Vec<(String, Outcome)>,
    /// URL of the jobs queue, for callers that need it next.
    pub jobs_queue_url: String,
    pub runs_queue_url: String,
    /// ARN of the KMS key the bucket encrypts with.
    pub kms_key_arn: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    AlreadyPresent,
    Configured,
}

impl fmt::Display for ProvisionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (what, outcome) in &self.lines {
            let o = match outcome {
                Outcome::Created => "created",
                Outcome::AlreadyPresent => "already present",
                Outcome::Configured => "configured",
            };
            writeln!(f, "  {o:<16} {what}")?;
        }
        Ok(())
    }
}

type Result<T> = std::result::Result<T, ProvisionError>;

fn aws<E, R>(op: &str) -> impl FnOnce(aws_sdk_dynamodb::error::SdkError<E, R>) -> ProvisionError
where
    E: std::error::Error + Send + Sync + 'static,
    R: fmt::Debug,
{
    let op = op.to_string();
    move |e| ProvisionError::Aws(sdk_message(&op, &e))
}

fn build<T, E: fmt::Display>(r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(|e| ProvisionError::Aws(format!("building request: {e}")))
}

/// Creates whatever is missing. Safe to run any number of times. `web_origins` are the origins the
/// exports bucket's CORS rule admits.
pub async fn provision(
    clients: &AwsClients,
    kms: &aws_sdk_kms::Client,
    names: &ResourceNames,
    web_origins: &WebAppOrigins,
) -> Result<ProvisionReport> {
    let mut report = ProvisionReport::default();
    for spec in TABLES {
        table(clients, spec.table.name(names), spec, &mut report).await?;
    }
    report.kms_key_arn = kms_key(kms, &names.kms_key, &mut report).await?;
    let urls = queues(clients, names, &mut report).await?;
    report.jobs_queue_url = urls[0].clone();
    report.runs_queue_url = urls[1].clone();
    bucket(
        clients,
        &names.exports_bucket,
        &report.kms_key_arn.clone(),
        web_origins,
        &mut report,
    )
    .await?;
    ses_sender(clients, &names.ses_sender, &mut report).await?;
    Ok(report)
}

fn key_schema(key: &Key) -> Result<Vec<KeySchemaElement>> {
    let mut elements = vec![build(
        KeySchemaElement::builder()
            .attribute_name(key.partition)
            .key_type(KeyType::Hash)
            .build(),
    )?];
    if let Some(sort) = key.sort {
        elements.push(build(
            KeySchemaElement::builder()
                .attribute_name(sort)
                .key_type(KeyType::Range)
                .build(),
        )?);
    }
    Ok(elements)
}

fn key_names(key: &Key) -> Vec<String> {
    std::iter::once(key.partition)
        .chain(key.sort)
        .map(String::from)
        .collect()
}

fn described_key(schema: &[KeySchemaElement]) -> Vec<String> {
    // Hash first, then range, as `key_names` lists them.
    let mut sorted: Vec<_> = schema.iter().collect();
    sorted.sort_by_key(|k| *k.key_type() != KeyType::Hash);
    sorted
        .iter()
        .map(|k| k.attribute_name().to_string())
        .collect()
}

async fn table(
    clients: &AwsClients,
    name: &str,
    spec: &TableSpec,
    report: &mut ProvisionReport,
) -> Result<()> {
    let db = &clients.dynamodb;
    let existing = match db.describe_table().table_name(name).send().await {
        Ok(out) => out.table,
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            None
        }
        Err(e) => return Err(aws("DescribeTable")(e)),
    };

    match existing {
        Some(described) => {
            check_table(name, spec, &described)?;
            report
                .lines
                .push((format!("DynamoDB table {name}"), Outcome::AlreadyPresent));
        }
        None => {
            let mut attributes: Vec<&str> = key_names_static(&spec.key);
            for ix in spec.indexes {
                attributes.extend(key_names_static(&ix.key));
            }
            attributes.sort_unstable();
            attributes.dedup();
            let mut req = db
                .create_table()
                .table_name(name)
                .billing_mode(BillingMode::PayPerRequest)
                .set_key_schema(Some(key_schema(&spec.key)?));
            for a in attributes {
                req = req.attribute_definitions(build(
                    AttributeDefinition::builder()
                        .attribute_name(a)
                        .attribute_type(ScalarAttributeType::S)
                        .build(),
                )?);
            }
            for ix in spec.indexes {
                req = req.global_secondary_indexes(build(
                    GlobalSecondaryIndex::builder()
                        .index_name(ix.name)
                        .set_key_schema(Some(key_schema(&ix.key)?))
                        .projection(
                            Projection::builder()
                                .projection_type(ProjectionType::All)
                                .build(),
                        )
                        .build(),
                )?);
            }
            req.send().await.map_err(aws("CreateTable"))?;
            report
                .lines
                .push((format!("DynamoDB table {name}"), Outcome::Created));
        }
    }

    if let Some(attr) = spec.ttl_attribute {
        let ttl = db.describe_time_to_live().table_name(name).send().await;
        let enabled = ttl
            .map_err(aws("DescribeTimeToLive"))?
            .time_to_live_description
            .and_then(|d| d.attribute_name)
            .is_some_and(|a| a == attr);
        if !enabled {
            db.update_time_to_live()
                .table_name(name)
                .time_to_live_specification(build(
                    TimeToLiveSpecification::builder()
                        .attribute_name(attr)
                        .enabled(true)
                        .build(),
                )?)
                .send()
                .await
                .map_err(aws("UpdateTimeToLive"))?;
            report
                .lines
                .push((format!("  TTL on {name}.{attr}"), Outcome::Configured));
        }
    }

    db.update_continuous_backups()
        .table_name(name)
        .point_in_time_recovery_specification(build(
            PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(true)
                .build(),
        )?)
        .send()
        .await
        .map_err(aws("UpdateContinuousBackups"))?;
    Ok(())
}

fn key_names_static(key: &Key) -> Vec<&'static str> {
    std::iter::once(key.partition).chain(key.sort).collect()
}

fn check_table(name: &str, spec: &TableSpec, d: &TableDescription) -> Result<()> {
    let drift = |detail: String| ProvisionError::Drift {
        resource: format!("DynamoDB table {name}"),
        detail,
    };
    let key = described_key(d.key_schema());
    if key != key_names(&spec.key) {
        return Err(drift(format!(
            "key is {key:?}, expected {:?}",
            key_names(&spec.key)
        )));
    }
    for ix in spec.indexes {
        let found = d
            .global_secondary_indexes()
            .iter()
            .find(|g| g.index_name() == Some(ix.name));
        match found {
            None => return Err(drift(format!("index {} is missing", ix.name))),
            Some(g) if described_key(g.key_schema()) != key_names(&ix.key) => {
                return Err(drift(format!(
                    "index {} has key {:?}",
                    ix.name,
                    described_key(g.key_schema())
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Finds the key behind the alias, or creates both. Returns the key ARN.
async fn kms_key(
    kms: &aws_sdk_kms::Client,
    key: &str,
    report: &mut ProvisionReport,
) -> Result<String> {
    match kms.describe_key().key_id(key).send().await {
        Ok(out) => {
            let arn = out.key_metadata.and_then(|m| m.arn).unwrap_or_default();
            report
                .lines
                .push((format!("KMS key {key}"), Outcome::AlreadyPresent));
            return Ok(arn);
        }
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_not_found_exception()) => {}
        Err(e) => return Err(aws("DescribeKey")(e)),
    }
    let Some(alias) = key.strip_prefix("alias/") else {
        return Err(ProvisionError::Drift {
            resource: format!("KMS key {key}"),
            detail:
                "a key named by id or ARN must already exist; name it alias/… to have it created"
                    .into(),
        });
    };
    let created = kms
        .create_key()
        .description(format!("Encrypts practice-exports files ({alias})"))
        .send()
        .await
        .map_err(aws("CreateKey"))?;
    let meta = created
        .key_metadata
        .ok_or_else(|| ProvisionError::Aws("CreateKey returned no key".into()))?;
    kms.enable_key_rotation()
        .key_id(meta.key_id())
        .send()
        .await
        .map_err(aws("EnableKeyRotation"))?;
    kms.create_alias()
        .alias_name(key)
        .target_key_id(meta.key_id())
        .send()
        .await
        .map_err(aws("CreateAlias"))?;
    report
        .lines
        .push((format!("KMS key {key} (rotation on)"), Outcome::Created));
    Ok(meta.arn.unwrap_or_default())
}

/// Each queue's dead-letter queue, then the queue redriving into it. Returns the queues' URLs,
/// in the order of `resources::queues`.
async fn queues(
    clients: &AwsClients,
    names: &ResourceNames,
    report: &mut ProvisionReport,
) -> Result<Vec<String>> {
    let mut urls = Vec::new();
    for (spec, name, dlq_name) in resources::queues(names) {
        urls.push(queue_with_dlq(clients, spec, name, dlq_name, report).await?);
    }
    Ok(urls)
}

async fn queue_with_dlq(
    clients: &AwsClients,
    spec: QueueSpec,
    name: &str,
    dlq_name: &str,
    report: &mut ProvisionReport,
) -> Result<String> {
    let sqs = &clients.sqs;
    let dlq_url = queue(
        clients,
        dlq_name,
        vec![(
            QueueAttributeName::MessageRetentionPeriod,
            spec.dlq_retention_seconds.to_string(),
        )],
        report,
    )
    .await?;
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(aws("GetQueueAttributes"))?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .ok_or_else(|| ProvisionError::Aws("dead-letter queue has no ARN".into()))?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": spec.max_receive_count.to_string(),
    });
    queue(
        clients,
        name,
        vec![
            (
                QueueAttributeName::VisibilityTimeout,
                spec.visibility_timeout_seconds.to_string(),
            ),
            (
                QueueAttributeName::MessageRetentionPeriod,
                spec.message_retention_seconds.to_string(),
            ),
            (QueueAttributeName::RedrivePolicy, redrive.to_string()),
        ],
        report,
    )
    .await
}

async fn queue(
    clients: &AwsClients,
    name: &str,
    attributes: Vec<(QueueAttributeName, String)>,
    report: &mut ProvisionReport,
) -> Result<String> {
    let sqs = &clients.sqs;
    if let Ok(found) = sqs.get_queue_url().queue_name(name).send().await
        && let Some(url) = found.queue_url
    {
        // Bring attributes to their definition; SetQueueAttributes is idempotent.
        sqs.set_queue_attributes()
            .queue_url(&url)
            .set_attributes(Some(attributes.into_iter().collect()))
            .send()
            .await
            .map_err(aws("SetQueueAttributes"))?;
        report
            .lines
            .push((format!("SQS queue {name}"), Outcome::AlreadyPresent));
        return Ok(url);
    }
    let out = sqs
        .create_queue()
        .queue_name(name)
        .set_attributes(Some(attributes.into_iter().collect()))
        .send()
        .await
        .map_err(aws("CreateQueue"))?;
    report
        .lines
        .push((format!("SQS queue {name}"), Outcome::Created));
    out.queue_url
        .ok_or_else(|| ProvisionError::Aws("CreateQueue returned no URL".into()))
}

async fn bucket(
    clients: &AwsClients,
    name: &str,
    kms_key_arn: &str,
    web_origins: &WebAppOrigins,
    report: &mut ProvisionReport,
) -> Result<()> {
    let s3 = &clients.s3;
    match s3.head_bucket().bucket(name).send().await {
        Ok(_) => report
            .lines
            .push((format!("S3 bucket {name}"), Outcome::AlreadyPresent)),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {
            // us-east-1 takes no location constraint; other regions need theirs.
            let mut req = s3.create_bucket().bucket(name);
            let region = clients.s3.config().region().map(|r| r.to_string());
            if let Some(region) = region.filter(|r| r != "us-east-1") {
                req = req.create_bucket_configuration(
                    aws_sdk_s3::types::CreateBucketConfiguration::builder()
                        .location_constraint(region.as_str().into())
                        .build(),
                );
            }
            req.send().await.map_err(aws("CreateBucket"))?;
            report
                .lines
                .push((format!("S3 bucket {name}"), Outcome::Created));
        }
        Err(e) => return Err(aws("HeadBucket")(e)),
    }

    // The settings below are PUTs of the whole configuration: repeating them is harmless.
    s3.put_public_access_block()
        .bucket(name)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map_err(aws("PutPublicAccessBlock"))?;
    s3.put_bucket_ownership_controls()
        .bucket(name)
        .ownership_controls(build(
            OwnershipControls::builder()
                .rules(build(
                    OwnershipControlsRule::builder()
                        .object_ownership(ObjectOwnership::BucketOwnerEnforced)
                        .build(),
                )?)
                .build(),
        )?)
        .send()
        .await
        .map_err(aws("PutBucketOwnershipControls"))?;
    s3.put_bucket_encryption()
        .bucket(name)
        .server_side_encryption_configuration(build(
            ServerSideEncryptionConfiguration::builder()
                .rules(
                    ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(build(
                            ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(ServerSideEncryption::AwsKms)
                                .kms_master_key_id(kms_key_arn)
                                .build(),
                        )?)
                        .bucket_key_enabled(true)
                        .build(),
                )
                .build(),
        )?)
        .send()
        .await
        .map_err(aws("PutBucketEncryption"))?;
    s3.put_bucket_lifecycle_configuration()
        .bucket(name)
        .lifecycle_configuration(build(
            BucketLifecycleConfiguration::builder()
                .rules(build(
                    LifecycleRule::builder()
                        .id("expire-exports")
                        .filter(
                            LifecycleRuleFilter::builder()
                                .prefix(EXPORTS_BUCKET.exports_prefix)
                                .build(),
                        )
                        .status(ExpirationStatus::Enabled)
                        .expiration(
                            LifecycleExpiration::builder()
                                .days(EXPORTS_BUCKET.expire_after_days)
                                .build(),
                        )
                        .build(),
                )?)
                .rules(build(
                    LifecycleRule::builder()
                        .id("abort-incomplete-uploads")
                        .filter(LifecycleRuleFilter::builder().prefix("").build())
                        .status(ExpirationStatus::Enabled)
                        .abort_incomplete_multipart_upload(
                            AbortIncompleteMultipartUpload::builder()
                                .days_after_initiation(
                                    EXPORTS_BUCKET.abort_incomplete_uploads_after_days,
                                )
                                .build(),
                        )
                        .build(),
                )?)
                .build(),
        )?)
        .send()
        .await
        .map_err(aws("PutBucketLifecycleConfiguration"))?;
    let cors = EXPORTS_BUCKET.cors;
    let mut rule = CorsRule::builder().max_age_seconds(cors.max_age_seconds);
    for origin in &web_origins.0 {
        rule = rule.allowed_origins(origin);
    }
    for method in cors.allowed_methods {
        rule = rule.allowed_methods(*method);
    }
    for header in cors.exposed_headers {
        rule = rule.expose_headers(*header);
    }
    s3.put_bucket_cors()
        .bucket(name)
        .cors_configuration(build(
            CorsConfiguration::builder()
                .cors_rules(build(rule.build())?)
                .build(),
        )?)
        .send()
        .await
        .map_err(aws("PutBucketCors"))?;
    report.lines.push((
        format!(
            "  {name}: SSE-KMS + bucket key, public access blocked, owner enforced, {}* expires after {} days, CORS {} from {}",
            EXPORTS_BUCKET.exports_prefix,
            EXPORTS_BUCKET.expire_after_days,
            cors.allowed_methods.join("/"),
            web_origins.0.join(", ")
        ),
        Outcome::Configured,
    ));
    Ok(())
}

async fn ses_sender(
    clients: &AwsClients,
    sender: &str,
    report: &mut ProvisionReport,
) -> Result<()> {
    let ses = &clients.ses;
    let verified = ses
        .list_identities()
        .send()
        .await
        .map_err(aws("ListIdentities"))?
        .identities
        .iter()
        .any(|i| i == sender);
    if verified {
        report
            .lines
            .push((format!("SES sender {sender}"), Outcome::AlreadyPresent));
    } else {
        ses.verify_email_identity()
            .email_address(sender)
            .send()
            .await
            .map_err(aws("VerifyEmailIdentity"))?;
        report.lines.push((
            format!("SES sender {sender} (verification requested)"),
            Outcome::Created,
        ));
    }
    Ok(())
}
