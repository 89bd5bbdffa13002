/**
 * {@code ConfigException}: the one-line error every options class and the launcher throw for
 * bad configuration, naming the key. The reader behind it is {@code internal.config}.
 *
 * <p>May import: no other {@code io.consensus} package.
 */
package io.consensus.config;
