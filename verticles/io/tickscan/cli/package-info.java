/**
 * The command line ({@code run}, {@code replay}), with picocli.
 */
package io.tickscan.cli;
