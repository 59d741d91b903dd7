//! Audit exports in DynamoDB (`CONTROL_TABLE`, item `AUDIT_EXPORT#{id}`): the record encoded by
//! serde_dynamo, with a `ttl` a day after its file expires (or after the in-flight retention
//! while no file was written), so the table forgets them as the bucket forgets the files.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use exports_core::audit_export::AuditExport;
use exports_core::ports::{AuditExportStore, PortError};
use uuid::Uuid;

use crate::attribute::s;
use crate::error::{conditional_put, unavailable};

type Item = HashMap<String, AttributeValue>;

#[derive(Debug, Clone)]
pub struct DynamoAuditExportStore {
    client: Client,
    table: String,
}

/// The item's key in the control table.
pub fn audit_export_pk(export_id: Uuid) -> String {
    format!("AUDIT_EXPORT#{export_id}")
}

impl DynamoAuditExportStore {
    pub fn new(client: Client, control_table: impl Into<String>) -> Self {
        Self {
            client,
            table: control_table.into(),
        }
    }

    fn encode(export: &AuditExport) -> Result<Item, PortError> {
        let mut item: Item = serde_dynamo::to_item(export).map_err(|e| {
            PortError::Corrupt(format!("encoding audit export {}: {e}", export.export_id))
        })?;
        item.insert("pk".into(), s(audit_export_pk(export.export_id)));
        item.insert(
            "ttl".into(),
            AttributeValue::N(export.record_ttl().to_string()),
        );
        Ok(item)
    }

    async fn write(
        &self,
        export: &AuditExport,
        condition: Option<&str>,
    ) -> Result<bool, PortError> {
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::encode(export)?))
            .set_condition_expression(condition.map(String::from))
            .send()
            .await;
        conditional_put(out)
    }
}

#[async_trait]
impl AuditExportStore for DynamoAuditExportStore {
    async fn create(&self, export: &AuditExport) -> Result<(), PortError> {
        if self.write(export, Some("attribute_not_exists(pk)")).await? {
            Ok(())
        } else {
            Err(PortError::Conflict(format!(
                "audit export {} exists",
                export.export_id
            )))
        }
    }

    async fn get(&self, export_id: Uuid) -> Result<Option<AuditExport>, PortError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", s(audit_export_pk(export_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("GetItem"))?;
        out.item
            .map(|item| {
                serde_dynamo::from_item(item)
                    .map_err(|e| PortError::Corrupt(format!("audit export {export_id}: {e}")))
            })
            .transpose()
    }

    async fn put(&self, export: &AuditExport) -> Result<(), PortError> {
        self.write(export, None).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use exports_core::audit::AuditQuery;

    #[test]
    fn the_item_is_keyed_and_expires_with_its_record_and_round_trips() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
        let export = AuditExport::new(
            Uuid::nil(),
            "admin-1".into(),
            AuditQuery {
                from: at - chrono::Duration::days(300),
                to: at,
                patient_id: None,
                actor_id: Some("t-1".into()),
            },
            at,
        );
        let item = DynamoAuditExportStore::encode(&export).unwrap();
        assert_eq!(item["pk"], s(format!("AUDIT_EXPORT#{}", Uuid::nil())));
        assert_eq!(
            item["ttl"],
            AttributeValue::N(export.record_ttl().to_string())
        );
        let back: AuditExport = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back, export);
    }
}
