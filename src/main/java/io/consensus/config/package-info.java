/**
 * Configuration reading shared by every options class: {@code ConfigSchema}, the one typed
 * JSON reader (strict in files, string parsing only for overrides), and
 * {@code ConfigException}, the one-line error that names the key.
 *
 * <p>May import: no other {@code io.consensus} package (Vert.x JSON and {@code java.*} only).
 */
package io.consensus.config;
