/**
 * For metadata store implementations on SQL databases, not for applications: what RGrid's
 * SQLite and PostgreSQL stores share, so that a row reads the same on either and both check the
 * store SPI's arguments alike. {@link dev.rgrid.store.sql.StoreJson} and {@link
 * dev.rgrid.store.sql.NanoInstants} are the column forms of structured values and instants; {@link
 * dev.rgrid.store.sql.ExecutionColumns}, {@link dev.rgrid.store.sql.CacheEntryColumns} and {@link
 * dev.rgrid.store.sql.BatchColumns} map records to rows and back over plain JDBC; {@link
 * dev.rgrid.store.sql.StoreChecks} holds the argument and compare-and-set rules of the SPI. Each
 * store keeps its own SQL dialect, transactions and error mapping.
 */
package dev.rgrid.store.sql;
