/* iotflow devices: options -> iof_devices_config -> iof_devices_run. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "signals.h"
#include "iotflow/iotflow.h"

static void devices_usage(FILE *fp)
{
    fputs("usage: iotflow devices [OPTIONS] CAPTURE...\n"
          "\n"
          "Lists the devices of the captured network as an inventory CSV, one row per unicast\n"
          "source MAC (broadcast, multicast and all-zero MACs are never listed), with a name and a\n"
          "role guess to check and edit. 'iotflow extract --devices FILE' accepts the file as it is.\n"
          "\n"
          "  CAPTURE           pcap/pcapng files (gzip allowed), directories (every capture\n"
          "                    inside, in name order) or - (stdin)\n"
          "  -o, --output FILE write the inventory to FILE (created atomically: a temporary name,\n"
          "                    renamed when complete); default: stdout\n"
          "      --oui FILE    vendor database: Wireshark's manuf or IEEE oui.txt / mam.txt /\n"
          "                    oui36.txt; repeatable (up to 8, the first file wins). Default:\n"
          "                    /usr/share/wireshark/manuf (tshark), else /usr/share/ieee-data/\n"
          "                    {oui,mam,oui36}.txt (ieee-data); without either the vendor column\n"
          "                    is empty (said once on stderr)\n"
          "      --filter BPF  capture filter applied before decoding\n"
          "  -q, --quiet       no summary on stderr\n"
          "  -h, --help        this text\n"
          "\n"
          "Columns:\n",
          fp);
    size_t n;
    const iof_column_doc *cols = iof_devices_columns(&n);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "  %-18s %s\n", cols[i].name, cols[i].doc);
    fputs("\n"
          "Roles: router = serves DHCP, or is the L2 next hop for several public addresses, or\n"
          "holds the gateway address DHCP announces; phone/pc = DHCP vendor class android-dhcp or\n"
          "MSFT, or a host name such as iPhone, MacBook, android-, DESKTOP-, *-PC; device = the\n"
          "rest. Counts cover the IP packets iotflow decodes (as extract sees them).\n"
          "\n"
          "Exit status: 0 success; 1 usage/configuration error (nothing written); 2 input error (a\n"
          "capture unreadable or damaged: the inventory of what was read before the damage is\n"
          "written, the message names the file and byte offset); 3 output error (no partial file\n"
          "under the output name); 130 interrupted (the inventory of what was read is written).\n",
          fp);
}

enum { O_OUI = 256, O_FILTER };

/* SIGINT/SIGTERM stop the run (the inventory of what was read is written); a second one exits. */
static void on_run(void *ctx, iof_run *run)
{
    (void)ctx;
    if (run)
        iof_cli_signals_install(run);
    else
        iof_cli_signals_clear();
}

int iof_cli_devices(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, 0, 'o' }, { "oui", required_argument, 0, O_OUI },
        { "filter", required_argument, 0, O_FILTER }, { "quiet", no_argument, 0, 'q' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    iof_devices_config cfg;
    iof_devices_config_init(&cfg);
    const char *oui[IOF_DEVICES_MAX_OUI_FILES];
    bool quiet = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': cfg.output = optarg; break;
        case O_OUI:
            if (cfg.n_oui_files == IOF_DEVICES_MAX_OUI_FILES) {
                fprintf(stderr, "iotflow devices: at most %d --oui files\n", IOF_DEVICES_MAX_OUI_FILES);
                return IOF_EXIT_USAGE;
            }
            oui[cfg.n_oui_files++] = optarg;
            break;
        case O_FILTER: cfg.filter = optarg; break;
        case 'q': quiet = true; break;
        case 'h': devices_usage(stdout); return IOF_EXIT_OK;
        case ':': fprintf(stderr, "iotflow devices: option %s needs a value\n", argv[optind - 1]); return IOF_EXIT_USAGE;
        default: fprintf(stderr, "iotflow devices: unknown option %s (see --help)\n", argv[optind - 1]); return IOF_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "iotflow devices: give at least one CAPTURE (see --help)\n");
        return IOF_EXIT_USAGE;
    }
    cfg.inputs = (const char *const *)(argv + optind);
    cfg.n_inputs = (size_t)(argc - optind);
    cfg.oui_files = oui;
    cfg.run_hook = on_run;
    iof_devices_stats st;
    cfg.stats = &st;
    char err[1024] = "";
    cfg.on_message = iof_cli_message;
    cfg.message_ctx = "iotflow devices";
    iof_err rc = iof_devices_run(&cfg, err, sizeof err);
    if (st.oui_note[0])
        fprintf(stderr, "iotflow devices: %s\n", st.oui_note);
    /* the library writes the inventory unless nothing at all could be read (see iotflow.h) */
    bool written = rc == IOF_OK || rc == IOF_E_INTERRUPTED ||
                   ((rc == IOF_E_TRUNCATED_INPUT || rc == IOF_E_IO || rc == IOF_E_FORMAT) && st.frames > 0);
    if (written && !quiet) {
        fprintf(stderr, "iotflow devices: %" PRIu64 " device%s from %" PRIu64 " packets (%" PRIu64 " frames)",
                st.devices, st.devices == 1 ? "" : "s", st.packets, st.frames);
        if (st.dhcp + st.mdns + st.ssdp)
            fprintf(stderr, "; DHCP %" PRIu64 ", mDNS %" PRIu64 ", SSDP %" PRIu64 " messages", st.dhcp, st.mdns,
                    st.ssdp);
        fprintf(stderr, "%s%s\n", st.oui_source[0] ? "; vendors from " : "", st.oui_source);
        if (st.packets && st.without_mac == st.packets)
            fprintf(stderr, "iotflow devices: no packet has a source MAC (link type without MAC addresses): "
                            "no device can be listed\n");
        if (st.ips_shared)
            fprintf(stderr, "iotflow devices: %" PRIu64 " address(es) left out of the ip column: more than one "
                            "device sent them (a lease handed on, or spoofing; the evidence column names the other "
                            "MAC), and extract --devices refuses an address listed for two devices\n",
                    st.ips_shared);
        if (st.macs_dropped)
            fprintf(stderr, "iotflow devices: %" PRIu64 " packets of MACs beyond the 65,536-device cap were not counted\n",
                    st.macs_dropped);
    }
    switch (rc) {
    case IOF_OK: return IOF_EXIT_OK;
    case IOF_E_INTERRUPTED:
        fprintf(stderr, "iotflow devices: interrupted; the inventory lists what was read\n");
        return IOF_EXIT_INTERRUPTED;
    case IOF_E_INVAL:
        fprintf(stderr, "iotflow devices: %s\n", err);
        return IOF_EXIT_USAGE;
    case IOF_E_OUTPUT:
    case IOF_E_NOMEM:
        fprintf(stderr, "iotflow devices: %s\n", err);
        return IOF_EXIT_OUTPUT;
    default:
        fprintf(stderr, "iotflow devices: %s%s\n", err,
                written ? " (the inventory lists what was read before)" : "");
        return IOF_EXIT_INPUT;
    }
}
