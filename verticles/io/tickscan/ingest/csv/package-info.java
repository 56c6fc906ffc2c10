/**
 * Byte-level readers of tick files (CSV in both layouts) and of timestamps in every form of the spec. No
 * Vert.x: replay and the sources share them.
 */
package io.tickscan.ingest.csv;
