"""WSGI application and the AWS Lambda handler, both built once at import."""

import os

from apig_wsgi import make_lambda_handler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")

application = get_wsgi_application()
lambda_handler = make_lambda_handler(application)
