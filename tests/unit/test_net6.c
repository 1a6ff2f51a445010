/* test_net6.c — IPv6, static routes and the link kinds beyond a bridge
 * (issue 18 item 2): the network keys and their FILE:LINE errors, the
 * bridges' address6, and the encoding and equality of the new fields. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "units/internal.h"
#include "units/unit.h"

static struct unit *parse(const char *text)
{
	struct unit *u = NULL;

	ck_assert_int_eq(unit_parse_string("t.unit", text, &u), 0);
	ck_assert_ptr_nonnull(u);
	return u;
}

/* Every diagnostic of u, "LINE: message\n" each. */
static const char *diags(const struct unit *u)
{
	static char buf[8192];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < u->diags.n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%d: %s\n", u->diags.v[i].line,
				      u->diags.v[i].message);
	return buf;
}

#define HEAD "exec = [ \"/bin/httpd\" ];\nnamespaces = [ \"net\" ];\n"
#define BRIDGED HEAD \
	"network = { veth = { bridge = \"br0\"; address = \"10.88.0.2/24\"; gateway = \"10.88.0.1\";\n" \
	"  address6 = \"fd00:88::2/64\"; gateway6 = \"fd00:88::1\";\n" \
	"  routes = ( { to = \"10.9.0.0/16\"; via = \"10.88.0.1\"; },\n" \
	"             { to = \"fd00:9::/48\"; via = \"fd00:88::1\"; },\n" \
	"             { to = \"192.168.7.0/24\"; } ); }; };\n"

START_TEST(bridged_veth_with_ipv6_and_routes)
{
	struct unit *u = parse(BRIDGED);
	const struct unit_isolation *i = &u->opt->iso;

	ck_assert_msg(!u->bad, "%s", diags(u));
	ck_assert_int_eq(unit_link_kind(i), UNIT_LINK_BRIDGE);
	ck_assert_str_eq(i->veth_address6, "fd00:88::2/64");
	ck_assert_str_eq(i->veth_gateway6, "fd00:88::1");
	ck_assert_uint_eq(i->n_routes, 3);
	ck_assert_str_eq(i->routes[1].to, "fd00:9::/48");
	ck_assert_str_eq(i->routes[1].via, "fd00:88::1");
	ck_assert_ptr_null(i->routes[2].via);
	unit_free(u);
}
END_TEST

START_TEST(p2p_and_macvlan)
{
	struct unit *u = parse(HEAD "network = { veth = { host_address = \"10.77.0.1/30\";\n"
			       "  host_address6 = \"fd00:77::1/64\"; address = \"10.77.0.2/30\"; }; };\n");

	ck_assert_msg(!u->bad, "%s", diags(u));
	ck_assert_int_eq(unit_link_kind(&u->opt->iso), UNIT_LINK_P2P);
	ck_assert_str_eq(u->opt->iso.veth_host_address, "10.77.0.1/30");
	ck_assert_str_eq(u->opt->iso.veth_host_address6, "fd00:77::1/64");
	unit_free(u);
	u = parse(HEAD "network = { macvlan = { interface = \"eth0\"; mode = \"private\";\n"
		  "  address6 = \"fd00:66::2/64\"; }; };\n");
	ck_assert_msg(!u->bad, "%s", diags(u));
	ck_assert_int_eq(unit_link_kind(&u->opt->iso), UNIT_LINK_MACVLAN);
	ck_assert_str_eq(u->opt->iso.macvlan_interface, "eth0");
	ck_assert_uint_eq(u->opt->iso.macvlan_mode, UNIT_MACVLAN_PRIVATE);
	unit_free(u);
	u = parse(HEAD "network = { macvlan = { interface = \"eth0\"; address = \"10.66.0.2/24\"; }; };\n");
	ck_assert_msg(!u->bad, "%s", diags(u));
	ck_assert_uint_eq(u->opt->iso.macvlan_mode, UNIT_MACVLAN_BRIDGE);
	unit_free(u);
}
END_TEST

static const struct {
	const char *text, *want;
} bad_cases[] = {
	{ "network = { veth = { bridge = \"br0\"; address6 = \"fd00::2\"; }; };",
	  "3: 'network.veth.address6': invalid address 'fd00::2' (expected \"IPV6/PREFIX\", prefix 1..128)\n" },
	{ "network = { veth = { bridge = \"br0\"; address6 = \"10.0.0.2/24\"; }; };",
	  "3: 'network.veth.address6': invalid address '10.0.0.2/24' (expected \"IPV6/PREFIX\", prefix 1..128)\n" },
	{ "network = { veth = { bridge = \"br0\"; address6 = \"fd00::2/129\"; }; };",
	  "3: 'network.veth.address6': invalid address 'fd00::2/129' (expected \"IPV6/PREFIX\", prefix 1..128)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\"; gateway = \"fd00::1\"; }; };",
	  "3: 'network.veth.gateway' fd00::1 is an IPv6 address: use 'gateway6'\n" },
	{ "network = { veth = { bridge = \"br0\"; address6 = \"fd00::2/64\"; gateway6 = \"10.0.0.1\"; }; };",
	  "3: 'network.veth.gateway6' 10.0.0.1 is an IPv4 address: use 'gateway'\n" },
	{ "network = { veth = { bridge = \"br0\"; address6 = \"fd00::2/64\"; gateway6 = \"fd00:1::1\"; }; };",
	  "3: 'network.veth.gateway6' fd00:1::1 is outside fd00::2/64\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\"; gateway6 = \"fd00::1\"; }; };",
	  "3: 'network.veth.gateway6' needs 'address6'\n" },
	{ "network = { veth = { bridge = \"br0\"; }; };",
	  "3: 'network.veth' needs 'address' or 'address6'\n" },
	{ "network = { veth = { address = \"10.0.0.2/24\"; }; };",
	  "3: 'network.veth' needs 'bridge' (on a bridge) or 'host_address'/'host_address6' (point-to-point)\n" },
	{ "network = { veth = { bridge = \"br0\"; host_address = \"10.0.0.1/24\"; address = \"10.0.0.2/24\"; }; };",
	  "3: 'network.veth': 'bridge' and 'host_address' are two link kinds (a bridge, point-to-point): give one\n" },
	/* point-to-point: the host reaches the service over the link only
	 * when both ends share a subnet, at two addresses */
	{ "network = { veth = { host_address = \"10.77.0.2/30\"; address = \"10.77.0.2/30\"; }; };",
	  "3: 'network.veth.host_address' 10.77.0.2/30 is the service's own 'address' (each end needs one of its own)\n" },
	{ "network = { veth = { host_address = \"10.77.0.1/30\"; address = \"10.78.0.2/30\"; }; };",
	  "3: 'network.veth.host_address' 10.77.0.1/30 and 'address' 10.78.0.2/30 are not on one subnet (the host could not reach the service)\n" },
	{ "network = { veth = { host_address = \"10.77.0.1/32\"; address = \"10.77.0.2/32\"; }; };",
	  "3: 'network.veth.host_address' 10.77.0.1/32 and 'address' 10.77.0.2/32 are not on one subnet (the host could not reach the service)\n" },
	{ "network = { veth = { host_address6 = \"fd00:77::1/64\"; address6 = \"fd00:78::2/64\"; }; };",
	  "3: 'network.veth.host_address6' fd00:77::1/64 and 'address6' fd00:78::2/64 are not on one subnet (the host could not reach the service)\n" },
	{ "network = { veth = { host_address6 = \"fd00:77::2/64\"; address6 = \"fd00:77::2/64\"; }; };",
	  "3: 'network.veth.host_address6' fd00:77::2/64 is the service's own 'address6' (each end needs one of its own)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\"; };\n"
	  "  macvlan = { interface = \"eth0\"; address = \"10.0.1.2/24\"; }; };",
	  "3: 'network': more than one link kind ('veth' and 'macvlan'): give one\n" },
	{ "network = { macvlan = { address = \"10.0.1.2/24\"; }; };",
	  "3: 'network.macvlan' needs 'interface' (the host interface it hangs on)\n" },
	{ "network = { macvlan = { interface = \"eth0\"; mode = \"bridged\"; address = \"10.0.1.2/24\"; }; };",
	  "3: 'network.macvlan.mode': unknown value 'bridged' (did you mean 'bridge'?)\n" },
	{ "network = { macvlan = { interface = \"e/0\"; address = \"10.0.1.2/24\"; }; };",
	  "3: 'network.macvlan.interface': invalid interface name 'e/0' (1 to 15 bytes, no '/', ':' or blanks)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\";\n"
	  "  routes = ( { to = \"10.9.0.0/16\"; via = \"fd00::1\"; } ); }; };",
	  "4: 'network.veth.routes[0].via' fd00::1 is not of the family of 'to' 10.9.0.0/16\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\";\n"
	  "  routes = ( { to = \"10.9.0.0/16\"; via = \"10.1.0.1\"; } ); }; };",
	  "4: 'network.veth.routes[0].via' 10.1.0.1 is not on-link (outside 10.0.0.2/24)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\";\n"
	  "  routes = ( { to = \"fd00:9::/48\"; via = \"fd00::1\"; } ); }; };",
	  "4: 'network.veth.routes[0].via' fd00::1 is not on-link (the link has no 'address6')\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\";\n"
	  "  routes = ( { to = \"10.9.0.1/16\"; } ); }; };",
	  "4: 'network.veth.routes[0].to': invalid destination '10.9.0.1/16' (expected \"NETWORK/PREFIX\" with the host bits zero)\n" },
	/* one route per destination (the kernel refused the second at every
	 * start), the default one the gateway's */
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\"; gateway = \"10.0.0.1\";\n"
	  "  routes = ( { to = \"0.0.0.0/0\"; via = \"10.0.0.1\"; } ); }; };",
	  "4: 'network.veth.routes[0].to' 0.0.0.0/0 is the default route, which 'gateway' makes already\n" },
	{ "network = { veth = { bridge = \"br0\"; address6 = \"fd00::2/64\";\n"
	  "  routes = ( { to = \"fd00:9::/48\"; }, { to = \"fd00:9::/48\"; via = \"fd00::1\"; } ); }; };",
	  "4: 'network.veth.routes[1].to' fd00:9::/48: routes[0] goes there already (one route per destination)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\";\n"
	  "  routes = ( { via = \"10.0.0.1\"; } ); }; };",
	  "4: 'network.veth.routes[0]' needs 'to'\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\";\n"
	  "  routes = ( {to=\"10.1.0.0/16\";},{to=\"10.2.0.0/16\";},{to=\"10.3.0.0/16\";},{to=\"10.4.0.0/16\";},\n"
	  "  {to=\"10.5.0.0/16\";},{to=\"10.6.0.0/16\";},{to=\"10.7.0.0/16\";},{to=\"10.8.0.0/16\";},\n"
	  "  {to=\"10.9.0.0/16\";},{to=\"10.10.0.0/16\";},{to=\"10.11.0.0/16\";},{to=\"10.12.0.0/16\";},\n"
	  "  {to=\"10.13.0.0/16\";},{to=\"10.14.0.0/16\";},{to=\"10.15.0.0/16\";},{to=\"10.16.0.0/16\";},\n"
	  "  {to=\"10.17.0.0/16\";} ); }; };",
	  "4: 'network.veth.routes' has more than 16 entries\n" },
	/* addresses no link can have, which the kernel took (0.0.0.0: the
	 * service ran with no address at all) or refused at every start (a
	 * gateway that is the service's own address: "setup network: Invalid
	 * argument") */
	{ "network = { veth = { host_address = \"0.0.0.1/24\"; address = \"0.0.0.0/24\"; }; };",
	  "3: 'network.veth.host_address': 0.0.0.1/24 is in 0.0.0.0/8, \"this network\" (an interface needs a unicast address)\n"
	  "3: 'network.veth.address': 0.0.0.0/24 is the unspecified address (an interface needs a unicast address)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"127.0.0.2/8\"; }; };",
	  "3: 'network.veth.address': 127.0.0.2/8 is a loopback address (an interface needs a unicast address)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"224.0.0.2/24\"; }; };",
	  "3: 'network.veth.address': 224.0.0.2/24 is a multicast address (an interface needs a unicast address)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"255.255.255.255/24\"; }; };",
	  "3: 'network.veth.address': 255.255.255.255/24 is the broadcast address (an interface needs a unicast address)\n" },
	{ "network = { veth = { host_address = \"10.0.0.1/30\"; address = \"10.0.0.3/30\"; }; };",
	  "3: 'network.veth.address': 10.0.0.3/30 is the broadcast address of its subnet (an interface needs a unicast address)\n" },
	{ "network = { macvlan = { interface = \"eth0\"; address = \"10.0.0.0/24\"; }; };",
	  "3: 'network.macvlan.address': 10.0.0.0/24 is the network address of its subnet (an interface needs a unicast address)\n" },
	{ "network = { veth = { host_address6 = \"ff02::1/64\"; address6 = \"::/64\"; }; };",
	  "3: 'network.veth.host_address6': ff02::1/64 is a multicast address (an interface needs a unicast address)\n"
	  "3: 'network.veth.address6': ::/64 is the unspecified address (an interface needs a unicast address)\n" },
	{ "network = { veth = { bridge = \"br0\"; address6 = \"::1/128\"; }; };",
	  "3: 'network.veth.address6': ::1/128 is a loopback address (an interface needs a unicast address)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\"; gateway = \"224.0.0.1\"; }; };",
	  "3: 'network.veth.gateway': 224.0.0.1 is a multicast address (a gateway needs a unicast address)\n" },
	{ "network = { veth = { bridge = \"br0\"; address6 = \"fd00::2/64\"; gateway6 = \"::\"; }; };",
	  "3: 'network.veth.gateway6': :: is the unspecified address (a gateway needs a unicast address)\n" },
	{ "network = { veth = { host_address = \"10.0.0.1/24\"; address = \"10.0.0.2/24\"; gateway = \"10.0.0.2\"; }; };",
	  "3: 'network.veth.gateway' 10.0.0.2 is the service's own 'address' (a gateway is another host on the link)\n" },
	{ "network = { veth = { bridge = \"br0\"; address6 = \"fd00::2/64\"; gateway6 = \"fd00::2\"; }; };",
	  "3: 'network.veth.gateway6' fd00::2 is the service's own 'address6' (a gateway is another host on the link)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\"; gateway = \"10.0.0.255\"; }; };",
	  "3: 'network.veth.gateway' 10.0.0.255 is the broadcast address of 10.0.0.2/24 (a gateway is another host on the link)\n" },
	{ "network = { veth = { bridge = \"br0\"; address = \"10.0.0.2/24\";\n"
	  "  routes = ( { to = \"10.9.0.0/16\"; via = \"10.0.0.2\"; } ); }; };",
	  "4: 'network.veth.routes[0].via' 10.0.0.2 is the service's own 'address' (a gateway is another host on the link)\n" },
	{ "network = { veth = { bridge = \"br0\"; address6 = \"fd00::2/64\";\n"
	  "  routes = ( { to = \"fd00:9::/48\"; via = \"ff02::2\"; } ); }; };",
	  "4: 'network.veth.routes[0].via': ff02::2 is a multicast address (a gateway needs a unicast address)\n" },
};

START_TEST(bad_values_have_lines)
{
	char text[2048];
	struct unit *u;

	snprintf(text, sizeof(text), HEAD "%s\n", bad_cases[_i].text);
	u = parse(text);
	ck_assert(u->bad);
	ck_assert_str_eq(diags(u), bad_cases[_i].want);
	unit_free(u);
}
END_TEST

/* A directory with initd.conf and one unit, loaded as a set. */
static struct unit_set *load(const char *conf, const char *unit)
{
	char dir[] = "/tmp/test_net6.XXXXXX", path[128], units[64];
	struct unit_set *s = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/initd.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(conf, f);
	fclose(f);
	snprintf(units, sizeof(units), "%s/units", dir);
	ck_assert_int_eq(mkdir(units, 0755), 0);
	snprintf(path, sizeof(path), "%s/web.unit", units);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(unit, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/initd.conf", dir);
	ck_assert_int_eq(unit_set_load(path, units, &s), 0);
	unlink(path);
	snprintf(path, sizeof(path), "%s/web.unit", units);
	unlink(path);
	rmdir(units);
	rmdir(dir);
	return s;
}

#define CONF "bridges = ( { name = \"br0\"; address = \"10.88.0.1/24\"; address6 = \"fd00:88::1/64\"; } );\n"

START_TEST(bridge_address6)
{
	struct unit_set *s = load(CONF, BRIDGED);

	ck_assert_uint_eq(s->diags.n, 0);
	ck_assert_str_eq(s->conf.bridges[0].address6, "fd00:88::1/64");
	unit_set_free(s);
	s = load("bridges = ( { name = \"br0\"; address6 = \"fd00:88::1\"; } );\n", "exec = [ \"/bin/x\" ];\n");
	ck_assert_uint_eq(s->diags.n, 1);
	ck_assert_int_eq(s->diags.v[0].line, 1);
	ck_assert_str_eq(s->diags.v[0].message, "'bridges[0].address6': invalid address 'fd00:88::1' "
			 "(expected \"IPV6/PREFIX\", prefix 1..128)");
	unit_set_free(s);
	s = load("bridges = ( { name = \"br0\"; address = \"0.0.0.0/24\";\n"
		 "  address6 = \"ff02::1/64\"; } );\n", "exec = [ \"/bin/x\" ];\n");
	ck_assert_uint_eq(s->diags.n, 2);
	ck_assert_int_eq(s->diags.v[0].line, 1);
	ck_assert_str_eq(s->diags.v[0].message, "'bridges[0].address': 0.0.0.0/24 is the unspecified "
			 "address (an interface needs a unicast address)");
	ck_assert_int_eq(s->diags.v[1].line, 2);
	ck_assert_str_eq(s->diags.v[1].message, "'bridges[0].address6': ff02::1/64 is a multicast "
			 "address (an interface needs a unicast address)");
	unit_set_free(s);
}
END_TEST

/* Every new field is carried by the encoding and counts for equality
 * (a reload restarts a unit whose network changed). */
START_TEST(encode_round_trip)
{
	static const char *const units[] = {
		BRIDGED,
		HEAD "network = { veth = { host_address = \"10.77.0.1/30\"; host_address6 = \"fd00:77::1/64\";\n"
		"  address = \"10.77.0.2/30\"; address6 = \"fd00:77::2/64\"; }; };\n",
		HEAD "network = { macvlan = { interface = \"eth0\"; mode = \"vepa\"; address = \"10.66.0.2/24\"; }; };\n",
	};

	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		struct unit_set *s = load(CONF, units[k]), *d = NULL;
		struct unit_isolation *i;
		void *buf = NULL;
		size_t len;

		ck_assert_msg(!s->units[0]->bad, "%s", diags(s->units[0]));
		ck_assert_int_eq(unit_set_encode(s, &buf, &len), 0);
		ck_assert_int_eq(unit_set_decode(buf, len, &d), 0);
		ck_assert(unit_equal(s->units[0], d->units[0]));
		ck_assert(initd_conf_equal(&s->conf, &d->conf));
		/* changed on the loader's side (a decoded set is read-only),
		 * then put back for unit_set_free */
		i = &unit_opt_own(s->units[0])->iso;
		ck_assert_int_eq(unit_link_kind(i), unit_link_kind(&d->units[0]->opt->iso));
		if (k == 0) {
			char *old = i->routes[1].via;

			ck_assert_str_eq(d->units[0]->opt->iso.routes[1].via, "fd00:88::1");
			i->routes[1].via = (char *)"fd00:88::9";
			ck_assert(!unit_equal(s->units[0], d->units[0]));
			i->routes[1].via = old;
		} else if (k == 1) {
			char *old = i->veth_host_address6;

			ck_assert_str_eq(d->units[0]->opt->iso.veth_host_address6, "fd00:77::1/64");
			i->veth_host_address6 = (char *)"fd00:77::2/64";
			ck_assert(!unit_equal(s->units[0], d->units[0]));
			i->veth_host_address6 = old;
		} else {
			ck_assert_uint_eq(d->units[0]->opt->iso.macvlan_mode, UNIT_MACVLAN_VEPA);
			i->macvlan_mode = UNIT_MACVLAN_BRIDGE;
			ck_assert(!unit_equal(s->units[0], d->units[0]));
		}
		free(d->conf.bridges[0].address6);
		d->conf.bridges[0].address6 = NULL;
		ck_assert(!initd_conf_equal(&s->conf, &d->conf));
		free(buf);
		unit_set_free(s);
		unit_set_free(d);
	}
}
END_TEST

static Suite *net6_suite(void)
{
	Suite *s = suite_create("net6");
	TCase *tc = tcase_create("net6");

	tcase_add_test(tc, bridged_veth_with_ipv6_and_routes);
	tcase_add_test(tc, p2p_and_macvlan);
	tcase_add_loop_test(tc, bad_values_have_lines, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	tcase_add_test(tc, bridge_address6);
	tcase_add_test(tc, encode_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(net6_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
