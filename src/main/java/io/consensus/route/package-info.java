/**
 * The vocabulary of allocation on top of the key tree: {@code Route}, {@code RouteEntry},
 * {@code Role}, the key layout ({@code Keys}), item enumeration ({@code Items}) and name
 * validation ({@code Names}). Pure, no I/O.
 *
 * <p>May import: {@code tree}.
 */
package io.consensus.route;
