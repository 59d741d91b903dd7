//! Therapists' own export templates in DynamoDB (`TEMPLATES_TABLE`, key `template_id`), listed
//! per owner through the `by_owner` index (`owner_id`, `created_at`). Built-in templates live in
//! code ([`exports_core::template::built_in_templates`]) and are never stored here.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use exports_core::ports::{PortError, TemplateCursor, TemplatePage, TemplateStore};
use exports_core::template::ExportTemplate;
use uuid::Uuid;

use crate::attribute::s;
use crate::error::{conditional_put, unavailable};
use crate::jobs_store::instant;
use crate::resources::index;

type Item = HashMap<String, AttributeValue>;

/// Largest page a caller can ask for; DynamoDB's own `Limit` tops out far above it.
const MAX_PAGE: usize = 1000;

#[derive(Debug, Clone)]
pub struct DynamoTemplateStore {
    client: Client,
    table: String,
}

impl DynamoTemplateStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn encode(template: &ExportTemplate) -> Result<Item, PortError> {
        if template.owner_id.is_none() {
            // Built-in templates are read-only and live in code.
            return Err(PortError::Conflict(format!(
                "template {} is built in",
                template.template_id
            )));
        }
        let mut item: Item = serde_dynamo::to_item(template).map_err(|e| {
            PortError::Corrupt(format!("encoding template {}: {e}", template.template_id))
        })?;
        // The index sort key: a fixed format, so string order is time order.
        item.insert("created_at".into(), s(instant(&template.created_at)));
        Ok(item)
    }

    fn decode(item: Item) -> Result<ExportTemplate, PortError> {
        let id = match item.get("template_id") {
            Some(AttributeValue::S(id)) => id.clone(),
            _ => String::new(),
        };
        serde_dynamo::from_item(item).map_err(|e| PortError::Corrupt(format!("template {id}: {e}")))
    }

    fn key(template_id: Uuid) -> Item {
        HashMap::from([("template_id".to_string(), s(template_id.to_string()))])
    }

    /// A conditional `PutItem`: `Ok(false)` when the condition did not hold.
    async fn put(&self, item: Item, condition: &str) -> Result<bool, PortError> {
        let out = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .send()
            .await;
        conditional_put(out)
    }
}

#[async_trait]
impl TemplateStore for DynamoTemplateStore {
    async fn create(&self, template: &ExportTemplate) -> Result<(), PortError> {
        let item = Self::encode(template)?;
        if self.put(item, "attribute_not_exists(template_id)").await? {
            Ok(())
        } else {
            Err(PortError::Conflict(format!(
                "template {} exists",
                template.template_id
            )))
        }
    }

    async fn replace(&self, template: &ExportTemplate) -> Result<(), PortError> {
        let item = Self::encode(template)?;
        if self.put(item, "attribute_exists(template_id)").await? {
            Ok(())
        } else {
            Err(PortError::Conflict(format!(
                "template {} is gone",
                template.template_id
            )))
        }
    }

    async fn get(&self, template_id: Uuid) -> Result<Option<ExportTemplate>, PortError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(template_id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable("GetItem"))?;
        out.item.map(Self::decode).transpose()
    }

    async fn list_for_owner(
        &self,
        owner_id: &str,
        after: Option<&TemplateCursor>,
        limit: usize,
    ) -> Result<TemplatePage, PortError> {
        let limit = limit.clamp(1, MAX_PAGE);
        // One more than asked, to know whether a next page exists; a page of DynamoDB's may stop
        // short (1 MB), so keep reading until there are enough or the index ends.
        let wanted = limit + 1;
        let mut start: Option<Item> = after.map(|c| {
            HashMap::from([
                ("template_id".to_string(), s(c.template_id.to_string())),
                ("owner_id".to_string(), s(owner_id)),
                ("created_at".to_string(), s(instant(&c.created_at))),
            ])
        });
        let mut templates: Vec<ExportTemplate> = Vec::new();
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index::TEMPLATES_BY_OWNER)
                .key_condition_expression("owner_id = :o")
                .expression_attribute_values(":o", s(owner_id))
                .scan_index_forward(true)
                .limit((wanted - templates.len()) as i32)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(unavailable("Query"))?;
            for item in out.items.unwrap_or_default() {
                templates.push(Self::decode(item)?);
            }
            match out.last_evaluated_key {
                Some(key) if templates.len() < wanted => start = Some(key),
                _ => break,
            }
        }
        let next = if templates.len() > limit {
            templates.truncate(limit);
            templates.last().map(|t| TemplateCursor {
                created_at: t.created_at,
                template_id: t.template_id,
            })
        } else {
            None
        };
        Ok(TemplatePage { templates, next })
    }

    async fn delete(&self, template_id: Uuid) -> Result<(), PortError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Self::key(template_id)))
            .send()
            .await
            .map_err(unavailable("DeleteItem"))?;
        Ok(())
    }
}
