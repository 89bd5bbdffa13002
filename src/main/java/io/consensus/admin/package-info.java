/**
 * The operator's surface: {@link io.consensus.admin.AdminClient} reads the fleet's routes,
 * members and items from etcd, adds or removes items and drains members or switches maintenance
 * mode (the writes of {@code verticle.FleetControl}), each write one transaction; the
 * launcher's CLI ({@code io.consensus.launcher.AdminCli}) and the status server's {@code /admin}
 * API are thin shells around it.
 *
 * <p>May import: {@code tree}, {@code route}, {@code spectator}, {@code etcd} (EtcdClientOptions), {@code internal.etcd},
 * {@code internal.watch}, {@code internal.route}, {@code internal.member} (only {@code FleetControl}:
 * one place writes the operators' switches).
 */
package io.consensus.admin;
