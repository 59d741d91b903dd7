//! Export files in S3, encrypted with SSE-KMS under the configured key; downloads by presigned URL.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart, ServerSideEncryption,
};
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

    /// Encrypted, typed and named as `put` does it. Parts carry a CRC32 checksum (the SDK
    /// computes it), which the completion repeats, so S3 checks every part.
    async fn start_upload(
        &self,
        key: &str,
        content_type: &str,
        filename: &str,
    ) -> Result<String, PortError> {
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_disposition(content_disposition(filename))
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(&self.kms_key)
            .bucket_key_enabled(true)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .send()
            .await
            .map_err(unavailable("CreateMultipartUpload"))?;
        out.upload_id
            .ok_or_else(|| PortError::Unavailable("CreateMultipartUpload: no upload id".into()))
    }

    /// The receipt is the part's entity tag and its CRC32, separated by a space (an entity tag
    /// is quoted hex, a checksum base64: neither holds a space).
    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        bytes: Vec<u8>,
    ) -> Result<String, PortError> {
        let out = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(i32::try_from(number).unwrap_or(i32::MAX))
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(unavailable("UploadPart"))?;
        let etag = out
            .e_tag
            .ok_or_else(|| PortError::Unavailable("UploadPart: no ETag".into()))?;
        Ok(match out.checksum_crc32 {
            Some(crc) => format!("{etag} {crc}"),
            None => etag,
        })
    }

    async fn complete_upload(
        &self,
        key: &str,
        upload_id: &str,
        etags: &[String],
    ) -> Result<(), PortError> {
        let parts = etags
            .iter()
            .enumerate()
            .map(|(i, receipt)| {
                let (etag, crc) = match receipt.split_once(' ') {
                    Some((etag, crc)) => (etag, Some(crc.to_string())),
                    None => (receipt.as_str(), None),
                };
                CompletedPart::builder()
                    .part_number(i32::try_from(i + 1).unwrap_or(i32::MAX))
                    .e_tag(etag)
                    .set_checksum_crc32(crc)
                    .build()
            })
            .collect();
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(unavailable("CompleteMultipartUpload"))?;
        Ok(())
    }

    async fn abort_upload(&self, key: &str, upload_id: &str) -> Result<(), PortError> {
        self.client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await
            .map_err(unavailable("AbortMultipartUpload"))?;
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
