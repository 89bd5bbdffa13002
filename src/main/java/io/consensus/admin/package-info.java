/**
 * The operator's surface: {@link io.consensus.admin.AdminClient} reads the fleet's routes,
 * members and items from etcd and adds or removes items, each write one transaction; the
 * launcher's CLI ({@code io.consensus.launcher.AdminCli}) and the status server's {@code /admin}
 * API are thin shells around it.
 *
 * <p>May import: {@code tree}, {@code route}, {@code etcd}, {@code watch}, {@code spectator}.
 */
package io.consensus.admin;
