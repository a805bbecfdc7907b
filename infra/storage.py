"""Where the data lives: the EFS file system holding the SQLite snapshot, and the table."""

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_efs as efs
from constructs import Construct

from infra.config import EFS_ACCESS_POINT_PATH, EFS_POSIX_ID, GSI1_NAME, Removal, StageConfig


class Storage(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StageConfig,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection,
    ) -> None:
        super().__init__(scope, construct_id)
        self.file_system = efs.FileSystem(
            self,
            "FileSystem",
            vpc=vpc,
            vpc_subnets=subnets,
            encrypted=True,
            performance_mode=efs.PerformanceMode.GENERAL_PURPOSE,
            # Pay per byte read: a benchmark reads in bursts, then nothing for days.
            throughput_mode=efs.ThroughputMode.ELASTIC,
            # No lifecycle policy: an Infrequent Access tier would turn the first read after a
            # quiet week into a different experiment.
            removal_policy=config.removal_policy,
            # Not what it says: CDK's default policy would let every IAM principal of the account
            # write as root through any mount target. The stack adds a policy naming the one
            # role instead, and with any policy in place, clients without IAM get nothing.
            allow_anonymous_access=True,
        )
        # Lambda runs as an unprivileged user; the access point gives it a directory it owns.
        self.access_point = self.file_system.add_access_point(
            "LambdaAccessPoint",
            path=EFS_ACCESS_POINT_PATH,
            create_acl=efs.Acl(owner_uid=EFS_POSIX_ID, owner_gid=EFS_POSIX_ID, permissions="750"),
            posix_user=efs.PosixUser(uid=EFS_POSIX_ID, gid=EFS_POSIX_ID),
        )
        key = dynamodb.AttributeType.STRING
        self.table = dynamodb.Table(
            self,
            "Table",
            table_name=config.names.table,
            partition_key=dynamodb.Attribute(name="PK", type=key),
            sort_key=dynamodb.Attribute(name="SK", type=key),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            deletion_protection=config.removal is Removal.RETAIN,
            removal_policy=config.removal_policy,
        )
        self.table.add_global_secondary_index(
            index_name=GSI1_NAME,
            partition_key=dynamodb.Attribute(name="GSI1PK", type=key),
            sort_key=dynamodb.Attribute(name="GSI1SK", type=key),
            projection_type=dynamodb.ProjectionType.ALL,
        )
