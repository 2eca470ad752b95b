//! Task `Resource` classification: Lambda function ARNs, activities, optimised
//! integrations (checked against the table of known services and actions), AWS SDK
//! integrations, and custom resources.

use crate::definition::task::{IntegrationPattern, Resource, ResourceKind};
use std::sync::Arc;

/// Which suffixes an optimised integration accepts.
#[derive(Clone, Copy)]
struct Patterns {
    sync: bool,
    sync2: bool,
    token: bool,
}

const R: Patterns = Patterns {
    sync: false,
    sync2: false,
    token: false,
};
const RT: Patterns = Patterns {
    sync: false,
    sync2: false,
    token: true,
};
const RS: Patterns = Patterns {
    sync: true,
    sync2: false,
    token: false,
};
const RST: Patterns = Patterns {
    sync: true,
    sync2: false,
    token: true,
};
const ALL: Patterns = Patterns {
    sync: true,
    sync2: true,
    token: true,
};

/// The optimised integrations (`arn:<partition>:states:::<service>:<action>`).
const INTEGRATIONS: &[(&str, &[(&str, Patterns)])] = &[
    ("lambda", &[("invoke", RT)]),
    ("sqs", &[("sendMessage", RT)]),
    ("sns", &[("publish", RT)]),
    (
        "dynamodb",
        &[
            ("getItem", R),
            ("putItem", R),
            ("updateItem", R),
            ("deleteItem", R),
        ],
    ),
    ("states", &[("startExecution", ALL)]),
    ("events", &[("putEvents", RT)]),
    ("apigateway", &[("invoke", RT)]),
    ("ecs", &[("runTask", RST)]),
    ("batch", &[("submitJob", RST)]),
    ("glue", &[("startJobRun", RST)]),
    ("glue-databrew", &[("startJobRun", RS)]),
    (
        "s3",
        &[("getObject", R), ("putObject", R), ("listObjectsV2", R)],
    ),
    ("http", &[("invoke", RT)]),
    (
        "bedrock",
        &[
            ("invokeModel", R),
            ("createModelCustomizationJob", RST),
            ("createModelInvocationJob", RST),
        ],
    ),
    (
        "codebuild",
        &[
            ("startBuild", RST),
            ("stopBuild", R),
            ("batchDeleteBuilds", R),
            ("batchGetReports", R),
            ("startBuildBatch", RST),
            ("retryBuild", RST),
            ("retryBuildBatch", RST),
            ("stopBuildBatch", R),
            ("deleteBuildBatch", R),
        ],
    ),
    (
        "athena",
        &[
            ("startQueryExecution", RST),
            ("stopQueryExecution", R),
            ("getQueryExecution", R),
            ("getQueryResults", R),
        ],
    ),
    (
        "sagemaker",
        &[
            ("createTrainingJob", RST),
            ("createTransformJob", RST),
            ("createProcessingJob", RST),
            ("createHyperParameterTuningJob", RST),
            ("createLabelingJob", RST),
            ("createModel", R),
            ("createEndpoint", R),
            ("createEndpointConfig", R),
            ("updateEndpoint", R),
        ],
    ),
    (
        "elasticmapreduce",
        &[
            ("createCluster", RS),
            ("terminateCluster", RS),
            ("addStep", RS),
            ("cancelStep", R),
            ("setClusterTerminationProtection", R),
            ("modifyInstanceFleetByName", R),
            ("modifyInstanceGroupByName", R),
        ],
    ),
    (
        "emr-containers",
        &[
            ("createVirtualCluster", R),
            ("deleteVirtualCluster", RS),
            ("startJobRun", RS),
        ],
    ),
    (
        "emr-serverless",
        &[
            ("createApplication", RS),
            ("startApplication", RS),
            ("stopApplication", RS),
            ("deleteApplication", RS),
            ("startJobRun", RS),
            ("cancelJobRun", RS),
        ],
    ),
    (
        "eks",
        &[
            ("createCluster", RS),
            ("deleteCluster", RS),
            ("createFargateProfile", RS),
            ("deleteFargateProfile", RS),
            ("createNodegroup", RS),
            ("deleteNodegroup", RS),
            ("runJob", RS),
            ("call", R),
        ],
    ),
    ("mediaconvert", &[("createJob", RS)]),
];

/// Why a resource was rejected: AWS's sentence.
pub(crate) fn not_recognized(arn: &str) -> String {
    format!(
        "The resource provided {arn} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."
    )
}

/// Classifies a Task `Resource`; `Err` holds the rejection message.
///
/// ```
/// use statelang::definition::parse::classify_resource;
/// use statelang::definition::task::ResourceKind;
/// let r = classify_resource("arn:aws:states:::lambda:invoke").unwrap();
/// assert!(matches!(r.kind, ResourceKind::Integration { .. }));
/// assert!(classify_resource("arn:aws:states:::dynamodb:query").is_err());
/// ```
pub fn classify_resource(arn: &str) -> Result<Resource, String> {
    let kind = classify(arn)?;
    Ok(Resource {
        arn: Arc::from(arn),
        kind,
    })
}

fn classify(arn: &str) -> Result<ResourceKind, String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" || parts[1].is_empty() {
        return Ok(ResourceKind::Custom);
    }
    let (service, region, account, rest) = (parts[2], parts[3], parts[4], parts[5]);
    match service {
        "lambda" => {
            let mut r = rest.split(':');
            if r.next() == Some("function")
                && !region.is_empty()
                && !account.is_empty()
                && r.next().is_some_and(|n| !n.is_empty())
                && r.clone().count() <= 1
            {
                Ok(ResourceKind::LambdaFunction)
            } else {
                Ok(ResourceKind::Custom)
            }
        }
        "states" if !region.is_empty() && !account.is_empty() => {
            match rest.strip_prefix("activity:") {
                Some(name) if !name.is_empty() => Ok(ResourceKind::Activity),
                _ => Ok(ResourceKind::Custom),
            }
        }
        "states" if region.is_empty() && account.is_empty() => integration(arn, rest),
        _ => Ok(ResourceKind::Custom),
    }
}

/// `<service>:<action>[suffix]` or `aws-sdk:<service>:<action>[suffix]`.
fn integration(arn: &str, rest: &str) -> Result<ResourceKind, String> {
    let (body, pattern) = if let Some(b) = rest.strip_suffix(".sync:2") {
        (b, IntegrationPattern::Sync2)
    } else if let Some(b) = rest.strip_suffix(".sync") {
        (b, IntegrationPattern::Sync)
    } else if let Some(b) = rest.strip_suffix(".waitForTaskToken") {
        (b, IntegrationPattern::WaitForTaskToken)
    } else {
        (rest, IntegrationPattern::RequestResponse)
    };
    let suffix = &rest[body.len()..];
    if let Some(sdk) = body.strip_prefix("aws-sdk:") {
        let (svc, action) = sdk.split_once(':').ok_or_else(|| not_recognized(arn))?;
        let valid = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        };
        if !valid(svc)
            || !valid(action)
            || action.contains(':')
            || matches!(
                pattern,
                IntegrationPattern::Sync | IntegrationPattern::Sync2
            )
        {
            return Err(not_recognized(arn));
        }
        return Ok(ResourceKind::Integration {
            service: Arc::from(format!("aws-sdk:{svc}")),
            action: Arc::from(format!("{action}{suffix}")),
            pattern,
        });
    }
    let (svc, action) = body.split_once(':').ok_or_else(|| not_recognized(arn))?;
    let patterns = INTEGRATIONS
        .iter()
        .find(|(s, _)| *s == svc)
        .and_then(|(_, actions)| actions.iter().find(|(a, _)| *a == action))
        .map(|(_, p)| *p)
        .ok_or_else(|| not_recognized(arn))?;
    let allowed = match pattern {
        IntegrationPattern::RequestResponse => true,
        IntegrationPattern::Sync => patterns.sync,
        IntegrationPattern::Sync2 => patterns.sync2,
        IntegrationPattern::WaitForTaskToken => patterns.token,
    };
    if !allowed {
        return Err(not_recognized(arn));
    }
    Ok(ResourceKind::Integration {
        service: Arc::from(svc),
        action: Arc::from(format!("{action}{suffix}")),
        pattern,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(arn: &str) -> ResourceKind {
        classify_resource(arn).unwrap().kind
    }

    #[test]
    fn classifies() {
        assert_eq!(
            kind("arn:aws:lambda:us-east-1:111111111111:function:f"),
            ResourceKind::LambdaFunction
        );
        assert_eq!(
            kind("arn:aws:lambda:us-east-1:111111111111:function:f:prod"),
            ResourceKind::LambdaFunction
        );
        assert_eq!(
            kind("arn:aws:states:us-east-1:111111111111:activity:a"),
            ResourceKind::Activity
        );
        assert_eq!(
            kind("arn:aws:states:::states:startExecution.sync:2"),
            ResourceKind::Integration {
                service: "states".into(),
                action: "startExecution.sync:2".into(),
                pattern: IntegrationPattern::Sync2
            }
        );
        assert_eq!(
            kind("arn:aws:states:::aws-sdk:s3:listBuckets.waitForTaskToken"),
            ResourceKind::Integration {
                service: "aws-sdk:s3".into(),
                action: "listBuckets.waitForTaskToken".into(),
                pattern: IntegrationPattern::WaitForTaskToken
            }
        );
        assert_eq!(kind("my-custom-task"), ResourceKind::Custom);
        assert!(classify_resource("arn:aws:states:::dynamodb:query").is_err());
        assert!(classify_resource("arn:aws:states:::dynamodb:getItem.sync").is_err());
        assert!(classify_resource("arn:aws:states:::aws-sdk:s3:listBuckets.sync").is_err());
    }
}
