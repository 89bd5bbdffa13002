/**
 * The runnable member: {@code Main} reads the config ({@code MemberConfig},
 * {@code ConfigLoader}: file plus {@code ALLOCATOR_*} / {@code allocator.*} overrides), starts an
 * embedded etcd when no endpoints are given, deploys the allocator, serves status and metrics
 * over HTTP and hands off on SIGTERM; {@code DemoMain} runs a few members in one process.
 *
 * <p>May import: {@code tree}, {@code route}, {@code etcd}, {@code watch}, {@code lease},
 * {@code verticle}, {@code config}, {@code etcdprocess}; nothing imports it.
 */
package io.consensus.launcher;
