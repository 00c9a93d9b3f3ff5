# nnlab playground: a small image that runs the Streamlit app on port 8501.
#   docker build -t nnlab .
#   docker run --rm -p 8501:8501 nnlab
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    MALLOC_ARENA_MAX=2 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

RUN useradd --create-home --uid 1000 nnlab
WORKDIR /app

COPY requirements.txt pyproject.toml README.md ./
RUN pip install -r requirements.txt

COPY nnlab ./nnlab
COPY pages ./pages
COPY .streamlit ./.streamlit
COPY streamlit_app.py ./
RUN pip install --no-deps .

USER nnlab
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status == 200 else 1)"

CMD ["streamlit", "run", "streamlit_app.py", "--server.headless=true", "--server.port=8501", "--server.address=0.0.0.0"]
