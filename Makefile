# swapboot. `make test` is the test command CI runs (.ci/run); `make demo` builds a local lab cluster.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null)
LAB_CACHE ?= $(or $(SWAPBOOT_LAB_CACHE),/var/cache/swapboot-lab)
K8S_VERSION ?= v1.37.2
KUBECTL   := $(LAB_CACHE)/k8s/$(K8S_VERSION)/bin/kubectl
DEMO      ?= demo
DEMO_DIR  := /var/lib/swapboot-lab/$(DEMO)

.PHONY: all build lab prereqs k8s flannel vm-base lab-builds vm-image test unit e2e e2e-ha vet lint golden fuzz bench demo demo-down clean

all: build

build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION) -X main.commit=$(COMMIT)" -o swapboot .

lab:
	$(GO) build -o bin/lab ./lab/cmd/lab

# What the lab and the tests need (lab/prereq/debian-packages.txt): installed when root with apt, otherwise
# one message per missing thing and exit 2, in seconds, before any long build.
# Its own small binary (standard library and x/sys only), so the verdict comes before anything large compiles.
PREREQ_HOSTS ?= 4
prereqs:
	$(GO) build -o bin/prereqs ./lab/prereq/cmd/prereqs
	./bin/prereqs -install -hosts $(PREREQ_HOSTS) -cache $(LAB_CACHE) -k8s-version $(K8S_VERSION)

# Kubernetes for the lab, built once from the Go module proxy into $(LAB_CACHE) (nothing to do when it is
# there). Its own step, so the first build's progress lines stream instead of hiding inside a test's log.
k8s: prereqs
	./lab/k8sbuild/build.sh --version $(K8S_VERSION) --cache $(LAB_CACHE)

# flannel (flanneld, its CNI plugin) and the lab's test-tools image, built once into $(LAB_CACHE)/flannel/<version>
# (the version is bootstrap/cni's); its own step for the same reason as k8s.
flannel: prereqs
	./lab/flannelbuild/build.sh --cache $(LAB_CACHE)

# The Debian root of the vm hosts' image (debootstrap: network and dpkg bound, no Kubernetes needed), built once
# into $(LAB_CACHE)/vm/base-* unless the image is there. make test runs it beside the Kubernetes and flannel compiles.
vm-base: prereqs lab
	SWAPBOOT_LAB_CACHE=$(LAB_CACHE) ./bin/lab vm-image --base-only --k8s-version $(K8S_VERSION)

# What the lab's tests need built: the guest's base in parallel with the compiles, then the guest image, which
# needs all three. Their progress streams interleaved (no -O, which would hold each build's output until it
# ends); every log line of the three scripts says which one wrote it.
lab-builds: prereqs lab
	$(MAKE) --no-print-directory -j3 k8s flannel vm-base
	$(MAKE) --no-print-directory vm-image

# The image of the lab's vm hosts (qemu guests with cgroup v2; lab up --vm-workers), built once into
# $(LAB_CACHE)/vm beside the Kubernetes build (nothing to do when it is there; lab up builds it when missing).
vm-image: prereqs lab k8s flannel vm-base
	SWAPBOOT_LAB_CACHE=$(LAB_CACHE) ./bin/lab vm-image --k8s-version $(K8S_VERSION)

# Unit tests first (fast, with the race detector), then Kubernetes for the lab (built once), then the lab's
# own tests and the end-to-end suites on real hosts with real kubeadm (as root; without the race detector),
# one package at a time (-p 1): the lab's tests count the machine's swap areas, which the e2e labs change.
UNIT_PKGS = $(shell $(GO) list ./... | grep -v -e '/lab$$' -e '/test/')
test: prereqs vet build lab unit lab-builds
	$(GO) test -p 1 -count=1 -timeout 80m ./lab/ ./test/...
	cd lab/k8sbuild && $(GO) test -count=1 ./cachecheck/

unit: vet
	$(GO) test -race -short -count=1 $(UNIT_PKGS)

e2e: prereqs build lab k8s flannel
	$(GO) test -count=1 -timeout 80m -v ./test/e2e/

# The high-availability suite (three control planes per test, about 15 minutes): not in `make test`,
# run by .ci/run after it.
e2e-ha: PREREQ_HOSTS = 5
e2e-ha: prereqs build lab k8s flannel
	SWAPBOOT_E2E_HA=1 $(GO) test -count=1 -timeout 60m -v -run 'TestHA' ./test/e2e/

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt: files above are not formatted"; exit 1; }
	$(GO) vet ./...

lint: vet
	shellcheck -x .ci/run lab/k8sbuild/build.sh lab/k8sbuild/iptables_args.sh lab/flannelbuild/build.sh lab/vmimage/build.sh

# Regenerate golden files after checking a change is intended.
golden:
	$(GO) test ./templates/ ./bootstrap/cluster/ ./bootstrap/plan/ ./bootstrap/kubeadmcfg/ ./bootstrap/run/ -update

FUZZTIME ?= 30s
fuzz:
	$(GO) test ./bootstrap/cluster/ -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./bootstrap/joinmaterial/ -run XXX -fuzz '^FuzzParseJoinCommands$$' -fuzztime $(FUZZTIME)
	$(GO) test ./bootstrap/plan/ -run XXX -fuzz '^FuzzMergeFailSwapOn$$' -fuzztime $(FUZZTIME)
	$(GO) test ./bootstrap/output/ -run XXX -fuzz '^FuzzRedactorWriter$$' -fuzztime $(FUZZTIME)

bench: build lab
	$(GO) test -p 1 -count=1 -run XXX -bench . -benchtime 1x -timeout 60m ./test/bench/ ./sshexec/

demo: PREREQ_HOSTS = 3
demo: prereqs build lab k8s flannel
	./bin/lab up 3 --name $(DEMO)
	./swapboot up --kubeconfig-dir $(DEMO_DIR) $(DEMO_DIR)/cluster.yaml
	$(KUBECTL) --kubeconfig $(DEMO_DIR)/$(DEMO).kubeconfig wait --for=condition=Ready nodes --all --timeout=180s
	$(KUBECTL) --kubeconfig $(DEMO_DIR)/$(DEMO).kubeconfig get nodes -o wide
	./swapboot status $(DEMO_DIR)/cluster.yaml
	@echo
	@echo "The cluster is up: $(KUBECTL) --kubeconfig $(DEMO_DIR)/$(DEMO).kubeconfig get nodes"
	@echo "SSH to a host:    ./bin/lab ssh --name $(DEMO) m1 hostname"
	@echo "Stop it:          make demo-down"

demo-down: lab
	./bin/lab down --name $(DEMO)

clean:
	rm -rf swapboot bin
