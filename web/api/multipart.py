"""A blueprint whose arguments may come from a multipart form's text fields and files together, documented as
one ``multipart/form-data`` body (flask-smorest documents two multipart arguments as whichever came last)."""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import Request
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

#: The location of arguments read from both the form fields and the files of one multipart body.
FORM_AND_FILES = "form_and_files"


class Parser(FlaskParser):
    """webargs' Flask parser with :data:`FORM_AND_FILES`."""

    __location_map__ = {**FlaskParser.__location_map__, FORM_AND_FILES: "load_form_and_files"}

    def load_form_and_files(self, req: Request, schema: Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        FORM_AND_FILES: "multipart/form-data",
    }
