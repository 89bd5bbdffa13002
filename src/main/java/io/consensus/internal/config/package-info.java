/**
 * {@code ConfigSchema}, the one typed JSON reader behind every options class (strict in files,
 * string parsing only for overrides); it throws {@code config}'s {@code ConfigException}. Not
 * API: it may change in any release.
 *
 * <p>May import: {@code config}.
 */
package io.consensus.internal.config;
