"""The API function: Django behind apig-wsgi, EFS mounted, reached through an IAM-auth URL."""

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import (
    EFS_MOUNT_PATH,
    FUNCTION_TIMEOUT_MINUTES,
    HANDLER,
    Architecture,
    StageConfig,
)

# What AWSLambdaVPCAccessExecutionRole grants for the function's network interfaces, without its
# logs:* on every log group. EC2 offers no resource-level scoping for these (the Describe calls
# support none, and the interfaces are created by Lambda under ids not known at deploy time).
NETWORK_INTERFACE_ACTIONS = (
    "ec2:AssignPrivateIpAddresses",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:UnassignPrivateIpAddresses",
)
ARCHITECTURES = {
    Architecture.X86_64: lambda_.Architecture.X86_64,
    Architecture.ARM64: lambda_.Architecture.ARM_64,
}


class ApiFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
        access_point: efs.IAccessPoint,
        code: lambda_.Code,
        environment: Mapping[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        names = config.names
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=names.function_log_group,
            retention=config.log_retention,
            removal_policy=config.removal_policy,
        )
        # A role of its own instead of the managed Lambda policies, which allow writing to every
        # log group in the account.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs {names.function}: its log group, its network interfaces, and the "
            "table and file system granted by the stack.",
            inline_policies={
                "Logs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[self.log_group.log_group_arn],
                        )
                    ]
                ),
                "NetworkInterfaces": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=list(NETWORK_INTERFACE_ACTIONS), resources=["*"]
                        )
                    ]
                ),
            },
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=vpc,
            description=f"{names.function}: out to EFS (NFS) and DynamoDB (HTTPS) only",
            allow_all_outbound=False,
        )
        # The subnets are isolated: the only HTTPS destination with a route is the DynamoDB
        # gateway endpoint. The NFS rule to EFS is added by the file-system mount below.
        self.security_group.add_egress_rule(
            ec2.Peer.any_ipv4(),
            ec2.Port.tcp(443),
            "HTTPS to DynamoDB through the gateway endpoint (no other route exists)",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=names.function,
            description="lambda-sqlite-bench API: SQLite on EFS, SQLite copied to /tmp, DynamoDB",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler=HANDLER,
            code=code,
            architecture=ARCHITECTURES[config.architecture],
            memory_size=config.memory_mb,
            # /benchmark runs every strategy `iterations` times inside one invocation.
            timeout=Duration.minutes(FUNCTION_TIMEOUT_MINUTES),
            vpc=vpc,
            vpc_subnets=subnets,
            security_groups=[self.security_group],
            # Adds the mount-target dependency, the NFS rule and ClientMount/ClientWrite.
            filesystem=lambda_.FileSystem.from_efs_access_point(access_point, EFS_MOUNT_PATH),
            environment=dict(environment),
            log_group=self.log_group,
            role=self.role,
        )
        self.url = self.function.add_function_url(auth_type=lambda_.FunctionUrlAuthType.AWS_IAM)
