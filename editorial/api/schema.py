"""The OpenAPI document: every operation lists the error responses it can give, in the one
error format (``errors.ErrorSerializer``), so a client — and schemathesis — knows them all."""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema

from .errors import ErrorSerializer

READ_ERRORS = ("400", "401", "403", "404", "429")
WRITE_ERRORS = (*READ_ERRORS, "412", "428")


class ApiSchema(AutoSchema):
    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        codes = READ_ERRORS if self.method in ("GET", "HEAD") else WRITE_ERRORS
        for code in codes:
            responses.setdefault(
                code, self._get_response_for_code(ErrorSerializer, code, direction=direction)
            )
        return responses
