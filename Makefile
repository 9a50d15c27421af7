# Stagecraft: `make demo` and `make test` install what is missing, build, and run.
SWIFT ?= swift
APT_PACKAGES := libopenblas-dev libsqlite3-dev pkg-config libopenmpi-dev openmpi-bin libxml2
DB ?= stagecraft.db

.PHONY: deps build release test demo clean

# Installs the system libraries with apt-get when any is missing (a package removed but not purged
# counts as missing); does nothing when all are present.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) test

demo: release
	./demo.sh "$(DB)"

clean:
	rm -rf .build
