"""The synthesized stack, asserted on resource properties (never on hashed logical ids).

Each stack is synthesized once per module (a synth takes seconds), with asset bundling skipped
through the context, a fake account and region, and the context of infra/cdk.json, as
``cdk synth`` would see it.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template
from cfnlint.api import lint

from infra.app import build_app

INFRA_DIR = Path(__file__).resolve().parent.parent / "infra"
ACCOUNT, REGION = "123456789012", "us-east-1"
# Written out, so that widening a grant in infra/ fails a test instead of passing through it.
TABLE_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
]
NETWORK_INTERFACE_ACTIONS = [
    "ec2:AssignPrivateIpAddresses",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:UnassignPrivateIpAddresses",
]


@dataclass(frozen=True)
class Synth:
    stack_name: str
    template: Template
    raw: dict[str, Any]
    outdir: Path

    def only(self, resource_type: str, props: dict[str, Any] | None = None) -> tuple[str, Any]:
        """The one resource of a type (matching props); its id is looked up, never written."""
        found = self.template.find_resources(
            resource_type, {"Properties": Match.object_like(props)} if props else None
        )
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))

    def resources(self, resource_type: str) -> list[Any]:
        return list(self.template.find_resources(resource_type).values())


def cdk_json_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads((INFRA_DIR / "cdk.json").read_text())["context"]
    return context


def synthesize(outdir: Path, **overrides: object) -> Synth:
    context = {**cdk_json_context(), "aws:cdk:bundling-stacks": [], **overrides}
    app, stack = build_app(
        context=context,
        environ={"CDK_DEFAULT_ACCOUNT": ACCOUNT, "CDK_DEFAULT_REGION": REGION},
        outdir=str(outdir),
    )
    raw = app.synth().get_stack_by_name(stack.stack_name).template
    return Synth(stack.stack_name, Template.from_json(raw), raw, outdir)


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("cdk-dev"))


@pytest.fixture(scope="module")
def perf(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    # As `cdk deploy -c stage=perf -c memory=2048 ...` passes them: strings.
    return synthesize(
        tmp_path_factory.mktemp("cdk-perf"),
        stage="perf",
        memory="2048",
        architecture="arm64",
        logRetentionDays="7",
    )


def function_role_id(synth: Synth) -> str:
    role_id, _ = synth.only(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": Match.object_like(
                {
                    "Statement": [
                        Match.object_like({"Principal": {"Service": "lambda.amazonaws.com"}})
                    ]
                }
            )
        },
    )
    return role_id


def iam_statements(synth: Synth) -> Iterator[dict[str, Any]]:
    for role in synth.resources("AWS::IAM::Role"):
        for policy in role["Properties"].get("Policies", []):
            yield from policy["PolicyDocument"]["Statement"]
    for policy in synth.resources("AWS::IAM::Policy"):
        yield from policy["Properties"]["PolicyDocument"]["Statement"]


# -- names ------------------------------------------------------------------------------------


def test_stack_and_physical_names_come_from_the_stage(dev: Synth, perf: Synth) -> None:
    names = [
        (
            synth.stack_name,
            synth.only("AWS::DynamoDB::Table")[1]["Properties"]["TableName"],
            synth.only("AWS::Lambda::Function")[1]["Properties"]["FunctionName"],
        )
        for synth in (dev, perf)
    ]

    assert names == [
        ("aws-lambda-sqlite-dev", "aws-lambda-sqlite-dev-main", "aws-lambda-sqlite-dev-api"),
        ("aws-lambda-sqlite-perf", "aws-lambda-sqlite-perf-main", "aws-lambda-sqlite-perf-api"),
    ]


# -- network ----------------------------------------------------------------------------------


def test_vpc_has_two_isolated_subnets_in_two_zones_and_no_way_to_the_internet(dev: Synth) -> None:
    subnets = dev.resources("AWS::EC2::Subnet")

    assert sorted(s["Properties"]["AvailabilityZone"] for s in subnets) == [
        "us-east-1a",
        "us-east-1b",
    ]
    dev.template.all_resources_properties(
        "AWS::EC2::Subnet",
        {
            "MapPublicIpOnLaunch": False,
            "Tags": Match.array_with([{"Key": "aws-cdk:subnet-type", "Value": "Isolated"}]),
        },
    )
    for resource_type in ("AWS::EC2::NatGateway", "AWS::EC2::InternetGateway", "AWS::EC2::EIP"):
        dev.template.resource_count_is(resource_type, 0)
    dev.template.resource_count_is("AWS::EC2::Route", 0)


def test_dynamodb_is_reached_through_a_gateway_endpoint_on_both_route_tables(dev: Synth) -> None:
    _, endpoint = dev.only("AWS::EC2::VPCEndpoint")
    route_tables = dev.template.find_resources("AWS::EC2::RouteTable")

    assert endpoint["Properties"]["VpcEndpointType"] == "Gateway"
    assert endpoint["Properties"]["ServiceName"] == {
        "Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".dynamodb"]]
    }
    assert sorted(ref["Ref"] for ref in endpoint["Properties"]["RouteTableIds"]) == sorted(
        route_tables
    )


def test_rejected_flows_are_logged_with_the_configured_retention(dev: Synth) -> None:
    log_id, _ = dev.only(
        "AWS::Logs::LogGroup", {"LogGroupName": "/aws-lambda-sqlite/dev/vpc-flow-rejects"}
    )

    dev.template.has_resource_properties(
        "AWS::EC2::FlowLog",
        {"TrafficType": "REJECT", "ResourceType": "VPC", "LogGroupName": {"Ref": log_id}},
    )
    dev.template.has_resource_properties(
        "AWS::Logs::LogGroup",
        {"LogGroupName": "/aws-lambda-sqlite/dev/vpc-flow-rejects", "RetentionInDays": 30},
    )


# -- storage ----------------------------------------------------------------------------------


def test_file_system_is_encrypted_general_purpose_elastic_without_infrequent_access(
    dev: Synth,
) -> None:
    dev.template.has_resource_properties(
        "AWS::EFS::FileSystem",
        {
            "Encrypted": True,
            "PerformanceMode": "generalPurpose",
            "ThroughputMode": "elastic",
            "LifecyclePolicies": Match.absent(),
        },
    )


def test_file_system_policy_admits_only_the_function_role_and_never_as_root(dev: Synth) -> None:
    _, file_system = dev.only("AWS::EFS::FileSystem")

    assert file_system["Properties"]["FileSystemPolicy"]["Statement"] == [
        {
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
            "Effect": "Allow",
            "Principal": {"AWS": {"Fn::GetAtt": [function_role_id(dev), "Arn"]}},
        }
    ]


def test_access_point_is_lambda_directory_owned_by_uid_and_gid_1001(dev: Synth) -> None:
    file_system_id, _ = dev.only("AWS::EFS::FileSystem")

    dev.template.has_resource_properties(
        "AWS::EFS::AccessPoint",
        {
            "FileSystemId": {"Ref": file_system_id},
            "PosixUser": {"Uid": "1001", "Gid": "1001"},
            "RootDirectory": {
                "Path": "/lambda",
                "CreationInfo": {"OwnerUid": "1001", "OwnerGid": "1001", "Permissions": "750"},
            },
        },
    )


def test_file_system_is_reachable_from_both_subnets(dev: Synth) -> None:
    subnet_ids = sorted(dev.template.find_resources("AWS::EC2::Subnet"))

    mount_targets = dev.resources("AWS::EFS::MountTarget")

    assert sorted(m["Properties"]["SubnetId"]["Ref"] for m in mount_targets) == subnet_ids


def test_table_has_the_single_table_keys_gsi1_on_demand_recovery_and_encryption(
    dev: Synth,
) -> None:
    dev.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": "aws-lambda-sqlite-dev-main",
            "KeySchema": [
                {"AttributeName": "PK", "KeyType": "HASH"},
                {"AttributeName": "SK", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": "S"}
                for name in ("PK", "SK", "GSI1PK", "GSI1SK")
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "GSI1",
                    "KeySchema": [
                        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
                        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
        },
    )


def test_dev_data_goes_with_the_stack(dev: Synth) -> None:
    for resource_type in ("AWS::EFS::FileSystem", "AWS::DynamoDB::Table", "AWS::Logs::LogGroup"):
        dev.template.all_resources(
            resource_type, {"DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete"}
        )
    dev.template.has_resource_properties(
        "AWS::DynamoDB::Table", {"DeletionProtectionEnabled": False}
    )


def test_other_stages_keep_their_data_and_protect_the_table(perf: Synth) -> None:
    for resource_type in ("AWS::EFS::FileSystem", "AWS::DynamoDB::Table", "AWS::Logs::LogGroup"):
        perf.template.all_resources(
            resource_type, {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
        )
    perf.template.has_resource_properties(
        "AWS::DynamoDB::Table", {"DeletionProtectionEnabled": True}
    )


def test_removal_policy_context_overrides_the_stage_default(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    synth = synthesize(tmp_path_factory.mktemp("cdk-keep"), removalPolicy="retain")

    synth.template.all_resources("AWS::EFS::FileSystem", {"DeletionPolicy": "Retain"})
    synth.template.all_resources("AWS::DynamoDB::Table", {"DeletionPolicy": "Retain"})


# -- function ---------------------------------------------------------------------------------


def test_function_runs_the_wsgi_handler_on_python_312_for_fifteen_minutes(dev: Synth) -> None:
    dev.template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Runtime": "python3.12",
            "Handler": "benchsite.wsgi.lambda_handler",
            "Timeout": 900,
            "MemorySize": 1024,
            "Architectures": ["x86_64"],
        },
    )


def test_memory_and_architecture_come_from_the_context(perf: Synth) -> None:
    perf.template.has_resource_properties(
        "AWS::Lambda::Function", {"MemorySize": 2048, "Architectures": ["arm64"]}
    )


def test_function_mounts_the_access_point_at_mnt_efs_from_the_isolated_subnets(
    dev: Synth,
) -> None:
    access_point_id, _ = dev.only("AWS::EFS::AccessPoint")
    _, function = dev.only("AWS::Lambda::Function")

    (mount,) = function["Properties"]["FileSystemConfigs"]
    assert mount["LocalMountPath"] == "/mnt/efs"
    assert {"Ref": access_point_id} in mount["Arn"]["Fn::Join"][1]
    assert sorted(s["Ref"] for s in function["Properties"]["VpcConfig"]["SubnetIds"]) == sorted(
        dev.template.find_resources("AWS::EC2::Subnet")
    )


def test_function_waits_for_the_mount_targets(dev: Synth) -> None:
    mount_targets = set(dev.template.find_resources("AWS::EFS::MountTarget"))

    _, function = dev.only("AWS::Lambda::Function")

    assert mount_targets <= set(function["DependsOn"])


def test_function_environment_sets_every_setting_the_stack_decides(dev: Synth) -> None:
    table_id, _ = dev.only("AWS::DynamoDB::Table")
    _, function = dev.only("AWS::Lambda::Function")

    # Exact: DYNAMODB_ENDPOINT_URL stays unset (real DynamoDB) and DJANGO_SECRET_KEY too
    # (a random key per container, never in the template).
    assert function["Properties"]["Environment"]["Variables"] == {
        "BENCH_TABLE_NAME": {"Ref": table_id},
        "BENCH_EFS_DIR": "/mnt/efs",
        "BENCH_TMP_DIR": "/tmp",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": ".lambda-url.us-east-1.on.aws",
        "LOG_LEVEL": "INFO",
    }


def test_no_secret_key_appears_anywhere_in_the_template(dev: Synth) -> None:
    text = json.dumps(dev.raw)

    assert "SECRET_KEY" not in text
    assert "local-only-insecure-key" not in text


def test_function_logs_to_its_own_group_with_the_configured_retention(
    dev: Synth, perf: Synth
) -> None:
    log_id, _ = dev.only(
        "AWS::Logs::LogGroup", {"LogGroupName": "/aws/lambda/aws-lambda-sqlite-dev-api"}
    )

    dev.template.has_resource_properties(
        "AWS::Lambda::Function", {"LoggingConfig": {"LogGroup": {"Ref": log_id}}}
    )
    dev.template.has_resource_properties(
        "AWS::Logs::LogGroup",
        {"LogGroupName": "/aws/lambda/aws-lambda-sqlite-dev-api", "RetentionInDays": 30},
    )
    perf.template.has_resource_properties(
        "AWS::Logs::LogGroup",
        {"LogGroupName": "/aws/lambda/aws-lambda-sqlite-perf-api", "RetentionInDays": 7},
    )


def test_function_url_requires_iam_auth(dev: Synth) -> None:
    function_id, _ = dev.only("AWS::Lambda::Function")

    dev.template.has_resource_properties(
        "AWS::Lambda::Url",
        {"AuthType": "AWS_IAM", "TargetFunctionArn": {"Fn::GetAtt": [function_id, "Arn"]}},
    )
    dev.template.resource_count_is("AWS::Lambda::Url", 1)
    dev.template.resource_count_is("AWS::Lambda::Permission", 0)


def test_function_may_send_only_https_and_nfs_to_the_file_system(dev: Synth) -> None:
    function_sg, sg = dev.only(
        "AWS::EC2::SecurityGroup",
        {"GroupDescription": Match.string_like_regexp("^aws-lambda-sqlite-dev-api:")},
    )
    efs_sg, _ = dev.only(
        "AWS::EC2::SecurityGroup",
        {"GroupDescription": Match.string_like_regexp("EfsSecurityGroup")},
    )

    assert [
        {key: rule[key] for key in ("IpProtocol", "FromPort", "ToPort", "CidrIp")}
        for rule in sg["Properties"]["SecurityGroupEgress"]
    ] == [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}]
    dev.template.has_resource_properties(
        "AWS::EC2::SecurityGroupEgress",
        {
            "GroupId": {"Fn::GetAtt": [function_sg, "GroupId"]},
            "DestinationSecurityGroupId": {"Fn::GetAtt": [efs_sg, "GroupId"]},
            "IpProtocol": "tcp",
            "FromPort": 2049,
            "ToPort": 2049,
        },
    )
    dev.template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress",
        {
            "GroupId": {"Fn::GetAtt": [efs_sg, "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": [function_sg, "GroupId"]},
            "FromPort": 2049,
            "ToPort": 2049,
        },
    )
    dev.template.resource_count_is("AWS::EC2::SecurityGroupIngress", 1)


# -- permissions ------------------------------------------------------------------------------


def test_function_role_has_no_managed_policy_and_logs_only_to_its_group(dev: Synth) -> None:
    log_id, _ = dev.only(
        "AWS::Logs::LogGroup", {"LogGroupName": "/aws/lambda/aws-lambda-sqlite-dev-api"}
    )
    _, role = dev.only("AWS::IAM::Role", {"Description": Match.string_like_regexp("^Runs ")})

    assert "ManagedPolicyArns" not in role["Properties"]
    assert role["Properties"]["Policies"] == [
        {
            "PolicyName": "Logs",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Effect": "Allow",
                        "Resource": {"Fn::GetAtt": [log_id, "Arn"]},
                    }
                ],
            },
        },
        {
            "PolicyName": "NetworkInterfaces",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Action": NETWORK_INTERFACE_ACTIONS, "Effect": "Allow", "Resource": "*"}
                ],
            },
        },
    ]


def test_function_may_use_the_table_its_index_and_the_access_point_and_nothing_else(
    dev: Synth,
) -> None:
    table_id, _ = dev.only("AWS::DynamoDB::Table")
    access_point_id, _ = dev.only("AWS::EFS::AccessPoint")
    file_system_id, _ = dev.only("AWS::EFS::FileSystem")
    role_id = function_role_id(dev)
    prefix = f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}"

    _, policy = dev.only("AWS::IAM::Policy", {"Roles": [{"Ref": role_id}]})

    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "elasticfilesystem:ClientMount",
            "Condition": {
                "StringEquals": {
                    "elasticfilesystem:AccessPointArn": {
                        "Fn::Join": ["", [f"{prefix}:access-point/", {"Ref": access_point_id}]]
                    }
                }
            },
            "Effect": "Allow",
            "Resource": "*",
        },
        {
            "Action": "elasticfilesystem:ClientWrite",
            "Effect": "Allow",
            "Resource": {"Fn::Join": ["", [f"{prefix}:file-system/", {"Ref": file_system_id}]]},
        },
        {
            "Action": TABLE_ACTIONS,
            "Effect": "Allow",
            "Resource": [
                {"Fn::GetAtt": [table_id, "Arn"]},
                {"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, "/index/GSI1"]]},
            ],
        },
    ]


def test_no_action_is_a_wildcard_and_resource_star_only_where_nothing_narrower_exists(
    dev: Synth,
) -> None:
    statements = list(iam_statements(dev))

    actions = [
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    star_actions = sorted(
        a
        for s in statements
        if s.get("Resource") == "*"
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    )

    assert [a for a in actions if "*" in a] == []
    assert star_actions == sorted([*NETWORK_INTERFACE_ACTIONS, "elasticfilesystem:ClientMount"])


# -- outputs ----------------------------------------------------------------------------------


def test_outputs_have_fixed_keys_for_runbenchmark(dev: Synth) -> None:
    url_id, _ = dev.only("AWS::Lambda::Url")
    table_id, _ = dev.only("AWS::DynamoDB::Table")
    file_system_id, _ = dev.only("AWS::EFS::FileSystem")
    function_id, _ = dev.only("AWS::Lambda::Function")

    assert {key: value["Value"] for key, value in dev.raw["Outputs"].items()} == {
        "FunctionUrl": {"Fn::GetAtt": [url_id, "FunctionUrl"]},
        "TableName": {"Ref": table_id},
        "FileSystemId": {"Ref": file_system_id},
        "FunctionName": {"Ref": function_id},
    }


# -- checks -----------------------------------------------------------------------------------


def test_cdk_nag_passes_with_each_remaining_finding_acknowledged_with_a_reason(
    dev: Synth,
) -> None:
    report = json.loads((dev.outdir / "validation-report.json").read_text())
    (nag,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]

    acknowledged = sorted(
        (violation["ruleName"], construct["constructPath"])
        for violation in nag["suppressedViolations"]
        for construct in violation["violatingConstructs"]
    )

    assert (nag["conclusion"], nag["violations"]) == ("success", [])
    assert acknowledged == [
        ("AwsSolutions-IAM5[Resource::*]", "aws-lambda-sqlite-dev/Api/Role/DefaultPolicy/Resource"),
        ("AwsSolutions-IAM5[Resource::*]", "aws-lambda-sqlite-dev/Api/Role/Resource"),
        ("AwsSolutions-L1", "aws-lambda-sqlite-dev/Api/Function/Resource"),
    ]
    assert all(len(v["reason"]) > 100 for v in nag["suppressedViolations"])


def test_every_validation_plugin_concludes_success(dev: Synth) -> None:
    report = json.loads((dev.outdir / "validation-report.json").read_text())

    assert [
        (r["pluginName"], r["conclusion"], r["violations"]) for r in report["pluginReports"]
    ] == [(r["pluginName"], "success", []) for r in report["pluginReports"]]


def test_cfn_lint_finds_no_error_in_the_template(dev: Synth) -> None:
    matches = lint(json.dumps(dev.raw), regions=[REGION])

    errors = [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")]

    assert errors == []
