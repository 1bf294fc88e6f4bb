# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY asim ./asim
COPY agencies ./agencies
COPY incidents ./incidents
COPY notifications ./notifications
COPY interop ./interop
COPY readiness ./readiness
COPY boards ./boards
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs settings that pass the production checks; the real values come at run time.
RUN ASIM_PRODUCTION=1 ALLOWED_HOSTS=build SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64) \
    python manage.py collectstatic --noinput
RUN useradd --system --uid 1000 asim && chown -R asim /app
USER asim
EXPOSE 8000
CMD ["uvicorn", "asim.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--lifespan", "off", "--ws-per-message-deflate", "false"]
