"""The client side of the benchmark: where to send requests, how to sign them, the timed run.

``target`` resolves the Function URL (``--url`` or a CloudFormation stack's ``FunctionUrl``
output), ``signing`` adds SigV4 for IAM-authenticated URLs, ``http`` sends one timed request and
turns the answer into a ``bench.results.ResultRecord``, ``runner`` runs the interleaved plan over
worker threads and ``local`` stands up the whole experiment on this machine for ``--local``.
"""
