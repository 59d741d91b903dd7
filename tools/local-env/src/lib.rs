//! The local environment beside the functions: [`provision`] creates every resource of
//! `exports_aws::resources` on an emulator (as `infra/template.yaml` does in AWS), and [`tokens`]
//! mints and verifies the local JWTs that stand in for API Gateway's authorizer. The admin tool,
//! the local runner and the emulator tests use it; no Lambda function links it.

pub mod provision;
pub mod tokens;
