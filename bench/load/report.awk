# report.awk -- the tables of bench/load/run.sh from its RESULT lines
# (awk -f report.awk results.txt). Each line: RESULT kind=K procs=N label=L k=v ...
function num(x) { return x == "" ? 0 : x + 0 }
function f1(x) { return sprintf("%.1f", x) }
function f2(x) { return sprintf("%.2f", x) }
function f3(x) { return sprintf("%.3f", x) }

/^RESULT / {
	n++
	for (i = 2; i <= NF; i++) {
		eq = index($i, "=")
		R[n, substr($i, 1, eq - 1)] = substr($i, eq + 1)
	}
	lab[n] = R[n, "label"]
	byl[lab[n]] = n
	# the server processes: cpu and rss summed / maxed over kind1, kind2, ...
	k = R[n, "kind"]
	cpu = 0; rss = 0
	for (p = 1; p <= R[n, "procs"]; p++) {
		cpu += num(R[n, "cpu_" k p])
		if (num(R[n, "rssmax_" k p]) > rss) rss = num(R[n, "rssmax_" k p])
	}
	SCPU[n] = cpu
	SRSS[n] = rss
}

function row(i) {
	printf "| %-6s | %5s | %4s | %8s | %6s | %6s | %7s | %7s | %5s | %6s | %6s | %6s | %6s | %5s | %5s | %5s | %5s |\n",
		R[i, "kind"], R[i, "procs"], R[i, "conc"], f1(R[i, "lps"]), f1(R[i, "login_p50"]), f1(R[i, "login_p90"]),
		f1(R[i, "login_p99"]), f1(R[i, "login_max"]), R[i, "errors"], f3(SCPU[i]), f3(R[i, "cpu_slapd"]),
		f3(R[i, "cpu_memcached"]), f1(SRSS[i]), f2(R[i, "ldap_search"]), f3(R[i, "ldap_modify"]), f1(R[i, "mc_ops"]),
		f2(R[i, "other_cores"])
}
function header(first) {
	printf "| %-6s | %5s | %4s | %8s | %6s | %6s | %7s | %7s | %5s | %6s | %6s | %6s | %6s | %5s | %5s | %5s | %5s |\n",
		"server", "procs", first, "logins/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errs", "srv ms", "slapd", "mc ms",
		"RSS MB", "srch", "mod", "mc op", "other"
	print "|--------|-------|------|----------|--------|--------|---------|---------|-------|--------|--------|--------|--------|-------|-------|-------|-------|"
}

END {
	if (n == 0) { print "no results"; exit 1 }
	print "Columns: logins/s and latency of the whole login (start -> options -> sign -> verify -> finish -> ticket taken);"
	print "srv/slapd/mc ms = CPU milliseconds per login of the server process(es), slapd, memcached; RSS = largest server"
	print "process; srch/mod = LDAP searches/modifies per login; mc op = server-side memcached operations per login;"
	print "other = cores used meanwhile by processes outside the benchmark (a shared machine)."

	# closed loop
	any = 0
	for (i = 1; i <= n; i++) if (R[i, "mode"] == "closed" && lab[i] ~ /^(bridge|peer)-[0-9]+p-[0-9]+vu$/) any = 1
	if (any) {
		print ""
		print "Closed loop (each virtual user starts its next login when the last one ends, no think time):"
		print ""
		header("VUs")
		for (i = 1; i <= n; i++) if (R[i, "mode"] == "closed" && lab[i] ~ /^(bridge|peer)-[0-9]+p-[0-9]+vu$/) row(i)
		print ""
		print "Ours / peer, same run:"
		print ""
		print "| procs | VUs | logins/s bridge | logins/s peer | ratio | p99 bridge ms | p99 peer ms | CPU/login peer / bridge (server only) | (whole machine) |"
		print "|-------|-----|-----------------|---------------|-------|---------------|-------------|-----------------|-----------------|"
		for (i = 1; i <= n; i++) {
			if (R[i, "kind"] != "bridge" || lab[i] !~ /^bridge-[0-9]+p-[0-9]+vu$/) continue
			pl = lab[i]; sub(/^bridge/, "peer", pl)
			if (!(pl in byl)) continue
			j = byl[pl]
			tb = SCPU[i] + R[i, "cpu_slapd"] + R[i, "cpu_memcached"] + R[i, "cpu_loadgen"]
			tp = SCPU[j] + R[j, "cpu_slapd"] + R[j, "cpu_memcached"] + R[j, "cpu_loadgen"]
			printf "| %5s | %3s | %15s | %13s | %5s | %13s | %11s | %15s | %15s |\n", R[i, "procs"], R[i, "conc"],
				f1(R[i, "lps"]), f1(R[j, "lps"]), (R[j, "lps"] > 0 ? sprintf("%.2fx", R[i, "lps"] / R[j, "lps"]) : "-"),
				f1(R[i, "login_p99"]), f1(R[j, "login_p99"]),
				(SCPU[i] > 0 ? sprintf("%.2fx", SCPU[j] / SCPU[i]) : "-"), (tb > 0 ? sprintf("%.2fx", tp / tb) : "-")
		}
	}

	# open loop
	any = 0
	for (i = 1; i <= n; i++) if (R[i, "mode"] == "open") any = 1
	if (any) {
		print ""
		print "Open loop (logins arrive at a fixed rate; at most 100 in flight; latency from the intended start):"
		print ""
		header("rate")
		for (i = 1; i <= n; i++) {
			if (R[i, "mode"] != "open") continue
			r = lab[i]; sub(/.*open/, "", r)
			R[i, "conc"] = r
			row(i)
		}
	}

	# per-step latency of the closed-loop 100-VU rows
	any = 0
	for (i = 1; i <= n; i++) if (lab[i] ~ /-100vu$/ || lab[i] ~ /open/) any = 1
	if (any) {
		print ""
		print "Per step, p50 / p99 ms (100 virtual users, and the open-loop rows):"
		print ""
		print "| phase | start | options | verify | finish | ticket take |"
		print "|-------|-------|---------|--------|--------|-------------|"
		for (i = 1; i <= n; i++) {
			if (lab[i] !~ /-100vu$/ && lab[i] !~ /open/) continue
			printf "| %s | %s / %s | %s / %s | %s / %s | %s / %s | %s / %s |\n", lab[i],
				f2(R[i, "start_p50"]), f2(R[i, "start_p99"]), f2(R[i, "options_p50"]), f2(R[i, "options_p99"]),
				f2(R[i, "verify_p50"]), f2(R[i, "verify_p99"]), f2(R[i, "finish_p50"]), f2(R[i, "finish_p99"]),
				f2(R[i, "ticket_p50"]), f2(R[i, "ticket_p99"])
		}
	}

	# LDAP writes
	if (("first-use" in byl) || ("repeat" in byl)) {
		print ""
		print "LDAP writes (each enrolled user signs in once, then once more; sign count 0, last-used 2 h old at first):"
		print ""
		print "| pass | logins | LDAP modify/login | LDAP search/login | errors |"
		print "|------|--------|-------------------|-------------------|--------|"
		split("first-use repeat", ps, " ")
		for (q = 1; q <= 2; q++) {
			if (!(ps[q] in byl)) continue
			i = byl[ps[q]]
			printf "| %s | %s | %s | %s | %s |\n", ps[q], R[i, "ok"], f3(R[i, "ldap_modify"]), f2(R[i, "ldap_search"]), R[i, "errors"]
		}
	}

	# cost curve
	any = 0
	for (i = 1; i <= n; i++) if (lab[i] ~ /^curve-/) any = 1
	if (any) {
		print ""
		print "Cost curve (2 processes, 100 virtual users, closed loop):"
		print ""
		print "| server | enrolled users | logins/s | p50 ms | p99 ms | LDAP search/login | slapd ms/login | slapd RSS MB | errors |"
		print "|--------|----------------|----------|--------|--------|-------------------|----------------|--------------|--------|"
		for (i = 1; i <= n; i++) {
			if (lab[i] !~ /^curve-/) continue
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", R[i, "kind"], R[i, "users"], f1(R[i, "lps"]),
				f1(R[i, "login_p50"]), f1(R[i, "login_p99"]), f2(R[i, "ldap_search"]), f3(R[i, "cpu_slapd"]),
				f1(R[i, "rssmax_slapd"]), R[i, "errors"]
		}
	}

	# system calls and context switches (BENCH_PERF_STAT=1)
	any = 0
	for (i = 1; i <= n; i++) if ((i, "sys_slapd") in R) any = 1
	if (any) {
		print ""
		print "System calls and context switches per login (perf stat over the measured window):"
		print ""
		print "| phase | server syscalls | server ctx sw | slapd syscalls | slapd ctx sw | memcached syscalls | memcached ctx sw |"
		print "|-------|-----------------|---------------|----------------|--------------|--------------------|------------------|"
		for (i = 1; i <= n; i++) {
			if (!((i, "sys_slapd") in R)) continue
			k = R[i, "kind"]; ss = 0; cc = 0
			for (p = 1; p <= R[i, "procs"]; p++) { ss += R[i, "sys_" k p]; cc += R[i, "cs_" k p] }
			printf "| %s | %s | %s | %s | %s | %s | %s |\n", lab[i], f1(ss), f1(cc), f1(R[i, "sys_slapd"]), f1(R[i, "cs_slapd"]),
				f1(R[i, "sys_memcached"]), f1(R[i, "cs_memcached"])
		}
	}

	# soak
	for (i = 1; i <= n; i++) {
		if (lab[i] !~ /^soak-/) continue
		print ""
		printf "Soak %s: %s logins/s, p99 %s ms, errors %s; bridge RSS %s MB at the start of the window, %s MB max, %s MB at the end.\n",
			lab[i], f1(R[i, "lps"]), f1(R[i, "login_p99"]), R[i, "errors"], R[i, "rss0_bridge1"], R[i, "rssmax_bridge1"],
			R[i, "rss1_bridge1"]
	}
}
