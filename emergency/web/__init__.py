"""The HTTP side, and the only place that knows HTTP: blueprints (thin views that parse, call one domain function
and render), decorators, the input guard, security headers, request hooks and template globals."""
