/**
 * The runnable member: {@code Main} reads the config ({@code MemberConfig},
 * {@code ConfigLoader}: file plus {@code ALLOCATOR_*} / {@code allocator.*} overrides), starts an
 * embedded etcd when no endpoints are given, deploys the allocator, serves status and metrics
 * over HTTP (status, metrics, the route page, the admin API) and hands off on SIGTERM;
 * {@code DemoMain} runs a few members in one process; with {@code "role": "spectator"} it runs a
 * spectator instead; {@code AdminCli} is the operator's command line.
 *
 * <p>May import: {@code tree}, {@code route}, {@code etcd}, {@code config}, {@code verticle},
 * {@code spectator}, {@code admin}, {@code internal.etcd}, {@code internal.etcdprocess},
 * {@code internal.route}, {@code internal.config}; nothing imports it.
 */
package io.consensus.launcher;
