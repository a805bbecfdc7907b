"""The one stack: network, storage and function composed, access granted, outputs named."""

from aws_cdk import Acknowledgment, CfnOutput, Environment, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import EFS_MOUNT_PATH, GSI1_NAME, LAMBDA_TMP_DIR, StageConfig
from infra.function import ApiFunction
from infra.network import Network
from infra.storage import Storage

# Everything the app does with its table, and nothing it does not (no table management).
TABLE_ACTIONS = (
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
)


def function_environment(*, table_name: str, region: str) -> dict[str, str]:
    """The settings of benchsite/settings.py as the deployed function gets them.

    Left unset on purpose: ``DYNAMODB_ENDPOINT_URL`` (unset means the real DynamoDB of the
    function's region) and ``DJANGO_SECRET_KEY`` (the settings draw a random key per container
    on Lambda: the API signs nothing, and a key in the template would be readable by anyone who
    can read the function's configuration).
    """
    return {
        "BENCH_TABLE_NAME": table_name,
        "BENCH_EFS_DIR": EFS_MOUNT_PATH,
        "BENCH_TMP_DIR": LAMBDA_TMP_DIR,
        "DJANGO_DEBUG": "false",
        # The Host of a Function URL is <url-id>.lambda-url.<region>.on.aws; the URL itself
        # cannot be passed in (it would be a circular dependency).
        "DJANGO_ALLOWED_HOSTS": f".lambda-url.{region}.on.aws",
        "LOG_LEVEL": "INFO",
    }


class BenchStack(Stack):
    def __init__(
        self,
        scope: Construct,
        *,
        config: StageConfig,
        code: lambda_.Code,
        env: Environment | None = None,
    ) -> None:
        names = config.names
        super().__init__(
            scope,
            names.stack,
            stack_name=names.stack,
            env=env,
            description="lambda-sqlite-bench: SQLite on EFS vs /tmp vs DynamoDB, read from Lambda",
        )
        network = Network(self, "Network", config=config)
        storage = Storage(
            self, "Storage", config=config, vpc=network.vpc, subnets=network.isolated_subnets
        )
        api = ApiFunction(
            self,
            "Api",
            config=config,
            vpc=network.vpc,
            subnets=network.isolated_subnets,
            access_point=storage.access_point,
            code=code,
            environment=function_environment(
                table_name=storage.table.table_name, region=self.region
            ),
        )
        self._grant_file_system(storage, api)
        table_arn = storage.table.table_arn
        api.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=list(TABLE_ACTIONS),
                resources=[table_arn, f"{table_arn}/index/{GSI1_NAME}"],
            )
        )

        CfnOutput(self, "FunctionUrl", value=api.url.url, description="IAM-auth Function URL")
        CfnOutput(self, "TableName", value=storage.table.table_name)
        CfnOutput(self, "FileSystemId", value=storage.file_system.file_system_id)
        CfnOutput(self, "FunctionName", value=api.function.function_name)

        self.network, self.storage, self.api = network, storage, api
        self._acknowledge_findings()

    @staticmethod
    def _grant_file_system(storage: Storage, api: ApiFunction) -> None:
        # The file system policy names the one role that may mount and write, never as root.
        # (It cannot name the access point: its ARN refers back to the file system.) Lambda
        # mounts only through the access point, so always as uid/gid 1001. The identity side,
        # ClientMount and ClientWrite, comes with the mount in ApiFunction.
        storage.file_system.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[api.role],
                actions=["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                conditions={"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
            )
        )

    def _acknowledge_findings(self) -> None:
        """The cdk-nag findings that stay, each with the reason it is right for this stack."""
        role = self.api.role
        Validations.of(role.node.find_child("Resource")).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                reason="The network-interface actions Lambda needs to place the function in the "
                "VPC (the EC2 part of AWSLambdaVPCAccessExecutionRole): ec2:Describe* support no "
                "resource-level permissions and Lambda creates the interfaces under ids unknown "
                "at deploy time. Logs, table and file system are granted on their own ARNs.",
            )
        )
        Validations.of(role.node.find_child("DefaultPolicy")).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-IAM5[Resource::*]",
                reason="elasticfilesystem:ClientMount on * is the statement "
                "lambda.FileSystem.from_efs_access_point generates; it carries the condition "
                "elasticfilesystem:AccessPointArn = this stack's access point, which belongs to "
                "one file system, and that file system's own policy admits only this role.",
            )
        )
        Validations.of(self.api.function).acknowledge(
            Acknowledgment(
                id="AwsSolutions::AwsSolutions-L1",
                reason="The runtime is python3.12 on purpose: the project pins Python 3.12 "
                "(requires-python, .python-version) and bundles cp312 wheels for it; moving the "
                "runtime means moving all three together, with the asset test.",
            )
        )
