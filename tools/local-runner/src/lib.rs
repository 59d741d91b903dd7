//! The local runner: the same handlers and adapters as the Lambda functions, with local
//! identity (HS256 JWTs) and a queue poller in place of API Gateway and the SQS trigger.

pub mod http;
pub mod web;
pub mod worker;
