"""The VPC: two AZs of isolated subnets, no NAT, a DynamoDB gateway endpoint."""

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import StageConfig


class Network(Construct):
    """Nothing in it can reach the internet; DynamoDB is reached through the gateway endpoint.

    A NAT gateway would cost more per month than the whole benchmark, and the function needs
    only EFS (inside the VPC) and DynamoDB (the gateway endpoint, free).
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                )
            ],
            gateway_endpoints={
                "DynamoDb": ec2.GatewayVpcEndpointOptions(
                    service=ec2.GatewayVpcEndpointAwsService.DYNAMODB
                )
            },
            # Nothing uses the default security group; restricting it takes a custom-resource
            # Lambda function of its own, which this stack avoids.
            restrict_default_security_group=False,
        )
        # Rejected packets only: the trail of a missing security-group rule, for pennies.
        self.flow_log_group = logs.LogGroup(
            self,
            "FlowLogs",
            log_group_name=config.names.flow_log_group,
            retention=config.log_retention,
            removal_policy=config.removal_policy,
        )
        self.vpc.add_flow_log(
            "RejectedFlows",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_log_group),
            traffic_type=ec2.FlowLogTrafficType.REJECT,
        )

    @property
    def isolated_subnets(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
