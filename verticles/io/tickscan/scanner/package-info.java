/**
 * Scanning: the scanner verticles that own partitions, apply their ticks and scan every second; the rules
 * verticle that keeps this node's rule set in step with the cluster's; the reading of rules files.
 */
package io.tickscan.scanner;
