# forge: Prisma-shaped write verbs for PostgreSQL, built with PGXS.

EXTENSION = forge
MODULE_big = forge
OBJS = \
	src/forge.o \
	src/catalog.o \
	src/values.o \
	src/descriptor.o \
	src/read_nested.o \
	src/read_part.o \
	src/read_json.o \
	src/read_data.o \
	src/read_where.o \
	src/read_select.o \
	src/read_soft.o \
	src/deparse.o \
	src/shape.o \
	src/plancache.o \
	src/exec.o \
	src/events.o \
	src/outbox.o \
	src/relations.o src/comments.o src/nested.o src/citus.o
DATA = forge--0.1.0.sql forge--0.1.0--0.2.0.sql

REGRESS = create create_many scalar_list_writes timestamps_utc update upsert upsert_defaults delete where select types \
	errors plancache security outbox channels relations relation_filters include nested \
	security_relations relations_self relations_partitioned nested_keys nested_prisma_codes unique_selectors \
	identity hostile_schema adversarial fuzz_found plan_shape relations_inval \
	scalar_lists filters_prisma7 json_filters relation_names nested_to_one \
	extension_schema outbox_plans adversarial2 adversarial3 omit many_and_return limit \
	soft_delete include_count include_cursor adversarial4 adversarial5 adversarial6
REGRESS_OPTS = --load-extension=forge

ISOLATION = increment list_ops upsert_race upsert_default_key version_check inventory notify outbox \
	nested_connect_or_create nested_upsert_to_one \
	upsert_delete upsert_serializable update_many_phantom relations_inval limit relation_names \
	soft_delete_notify
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=forge

PG_CONFIG ?= pg_config
# PostgreSQL's headers as system headers: -Wextra then judges forge's code,
# not theirs (CI builds with PG_CFLAGS="-Wall -Wextra -Werror").
PG_CPPFLAGS += -isystem $(shell $(PG_CONFIG) --includedir-server)
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# forge-listen: the event client, a libpq program installed next to psql
# (pg_config --bindir).  It scans JSON itself: no JSON library reads every
# number and depth a payload may hold.
LISTEN_CPPFLAGS = -I$(shell $(PG_CONFIG) --includedir)
LISTEN_LDFLAGS = -L$(shell $(PG_CONFIG) --libdir) -lpq

all: forge-listen

forge-listen: client/forge-listen.c
	$(CC) $(CFLAGS) $(LISTEN_CPPFLAGS) -o $@ $< $(LISTEN_LDFLAGS)

install: install-listen

install-listen: forge-listen
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) forge-listen '$(DESTDIR)$(bindir)/forge-listen'

uninstall: uninstall-listen

uninstall-listen:
	rm -f '$(DESTDIR)$(bindir)/forge-listen'

EXTRA_CLEAN = forge-listen

# PGXS tracks no header dependencies: every object depends on forge.h and compat.h,
# the reader's on reader.h.
$(OBJS): src/forge.h src/compat.h
src/descriptor.o src/read_json.o src/read_data.o src/read_where.o src/read_select.o src/read_nested.o src/read_part.o src/read_soft.o: src/reader.h
