# The README's commands. Each target sets up what it needs on a fresh Debian machine.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SYSTEM_STAMP := $(VENV)/.system-stamp
FLASK  := $(BIN)/flask --app stories
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: serve prod book test setup system lint format i18n translations demo clean model

setup: $(STAMP) translations instance/config.py

system: $(SYSTEM_STAMP)

$(SYSTEM_STAMP): scripts/system-deps.sh
	@bash scripts/system-deps.sh
	@mkdir -p $(VENV) && touch $@

$(STAMP): pyproject.toml | $(SYSTEM_STAMP)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

# Compiled message catalogues (.mo) are build products, made from the .po files.
translations: $(STAMP)
	@$(BIN)/pybabel compile -d stories/translations > /dev/null

# A random SECRET_KEY for this checkout, written once, never committed.
instance/config.py:
	@mkdir -p instance
	@$(BIN)/python -c "import secrets; print('SECRET_KEY = ' + repr(secrets.token_hex(32)))" > $@
	@echo "Wrote $@ with a new random SECRET_KEY."

# The demo server speaks plain HTTP on 127.0.0.1, so its session cookie cannot be Secure here;
# behind HTTPS in production leave STORIES_SESSION_COOKIE_SECURE unset (Secure is the default).
# The site and one worker of the task queue (it builds the books) run together; Ctrl-C stops both.
serve: setup
	$(FLASK) db upgrade
	$(FLASK) demo load
	STORIES_SESSION_COOKIE_SECURE=false STORIES_REMEMBER_COOKIE_SECURE=false \
		bash scripts/serve.sh $(HOST) $(PORT)

# The production setup (README, "Running it in production"): gunicorn with its settings in
# stories/server.py (WEB_CONCURRENCY workers, default 4) and one queue worker, under the
# configuration of instance/config.py and the environment. Several workers need REDIS_URL (the
# rate limits are shared there); PostgreSQL by DATABASE_URL. Put it behind HTTPS.
prod: setup
	$(FLASK) db upgrade
	bash scripts/serve.sh --gunicorn $(HOST) $(PORT)

book: setup
	$(BIN)/python build.py content/volumes/demo.toml --format print,screen,epub --out dist/ --check

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q

# Retrain the privacy detector's tagger on the labelled sets (tests/text/scoring.py TRAINING),
# about 90 s; bench/privacy.py measures it on batches it was not trained on.
model: $(STAMP)
	$(BIN)/python -m tests.text.scoring --train

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the catalogues after changing user-visible strings, then translate the new entries.
i18n: $(STAMP)
	$(BIN)/python scripts/i18n.py update

clean:
	rm -rf dist .cache .pytest_cache
