//! Export files in S3, encrypted with SSE-KMS under the configured key; downloads by presigned URL.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use exports_core::ports::{ObjectStore, PortError, StoredObject};

use crate::error::unavailable;

#[derive(Debug, Clone)]
pub struct S3ObjectStore {
    client: Client,
    bucket: String,
    kms_key: String,
}

impl S3ObjectStore {
    pub fn new(client: Client, bucket: impl Into<String>, kms_key: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            kms_key: kms_key.into(),
        }
    }
}

/// `attachment; filename="…"`; file names are built from the export type, MRN and date, which
/// validation keeps to a file-name-safe ASCII alphabet, so no further encoding is needed.
pub fn content_disposition(filename: &str) -> String {
    let safe: String = filename
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
        .collect();
    format!("attachment; filename=\"{safe}\"")
}

#[async_trait]
impl ObjectStore for S3ObjectStore {
    async fn put(&self, object: StoredObject<'_>) -> Result<(), PortError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(object.key)
            .body(ByteStream::from(object.bytes.to_vec()))
            .content_type(object.content_type)
            .content_disposition(content_disposition(object.filename))
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&self.kms_key)
            .bucket_key_enabled(true)
            .send()
            .await
            .map_err(unavailable("PutObject"))?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(unavailable("DeleteObject"))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(unavailable("GetObject")(e)),
        };
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| PortError::Unavailable(format!("GetObject: reading the body: {e}")))?;
        Ok(Some(body.into_bytes().to_vec()))
    }

    async fn presign_get(
        &self,
        key: &str,
        filename: &str,
        expires_in: Duration,
    ) -> Result<String, PortError> {
        let config = PresigningConfig::expires_in(expires_in)
            .map_err(|e| PortError::Unavailable(format!("presigning: {e}")))?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            // Signed into the URL, so S3 answers with it whatever the object's own metadata says.
            .response_content_disposition(content_disposition(filename))
            .presigned(config)
            .await
            .map_err(unavailable("presign GetObject"))?;
        Ok(request.uri().to_string())
    }
}
