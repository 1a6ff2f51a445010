/* commands.h — the control requests, as actions on the manager. */
#ifndef INITD_COMMANDS_H
#define INITD_COMMANDS_H

#include "initd/control.h"
#include "initd/manager.h"

struct pending;
struct follower;

struct commands {
	struct manager *manager;      /* NULL until the units are loaded */
	/* poweroff / reboot / halt */
	void (*shutdown)(struct commands *cmds, enum shutdown_how how);
	void *data;                   /* for the shutdown callback */
	struct pending *pending;      /* deferred requests (list) */
	struct follower *followers;   /* `logs -f` clients (list) */
};

/* Hook for manager_set_output_hook: stream new output to followers. */
void commands_output(void *ctx, struct service *s);

/* A control_dispatch_fn; ctx is a struct commands. */
int commands_dispatch(void *ctx, struct control_client *c, const struct control_request *req,
		      struct proto_buf *reply);
/* A control_gone_fn: forget the client's deferred request. */
void commands_client_gone(void *ctx, struct control_client *c);

#endif
