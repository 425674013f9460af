// SPDX-License-Identifier: GPL-2.0
/*
 * hostctl REQUEST...: one request to the test host from a guest shell
 * script (selftests/lib/hostctl.h does the same for C tests). Prints the
 * reply and exits with the host's rc; 4 (skip) when there is no host.
 */
#include "tap.h"
#include "hostctl.h"

int main(int argc, char **argv)
{
	char req[900] = "", reply[1024];
	int i, rc;

	for (i = 1; i < argc; i++)
		snprintf(req + strlen(req), sizeof(req) - strlen(req), "%s%s",
			 i > 1 ? " " : "", argv[i]);
	rc = hostctl(req, reply, sizeof(reply), 120000);
	if (rc < 0) {
		fprintf(stderr, "hostctl: no test host (pvkit.hostctl=)\n");
		return TAP_SKIP;
	}
	printf("%s\n", reply);
	return rc;
}
