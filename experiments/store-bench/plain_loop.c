/* The baseline of experiments/store-bench: a plain C loop of sqlite3_bind / sqlite3_step / sqlite3_reset
 * inserting EVENTS rows into the Store's events table, in one transaction, with the connection settings
 * the Store uses (WAL, synchronous = NORMAL, foreign keys on).
 *
 *   plain_loop DB RUN_ID EVENTS   (DB prepared by `store-bench prepare DB`) prints "plain EVENTS SECONDS"
 *
 * Values: a gpipe schedule over 8 devices with EVENTS / 16 micro-batches, action id i from i * 1000 ns to
 * i * 1000 + 900 ns — the same rows store-bench writes through the Store. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void check(sqlite3 *db, int rc, int expected, const char *what) {
    if (rc != expected) {
        fprintf(stderr, "plain_loop: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: plain_loop DB RUN_ID EVENTS\n"); return 1; }
    sqlite3_int64 run = atoll(argv[2]);
    long events = atol(argv[3]);
    if (events < 16 || events % 16 != 0) { fprintf(stderr, "EVENTS must be a positive multiple of 16\n"); return 1; }
    long devices = 8, m = events / 16, perDevice = 2 * m;

    sqlite3 *db;
    check(db, sqlite3_open(argv[1], &db), SQLITE_OK, "open");
    check(db, sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", 0, 0, 0), SQLITE_OK, "pragmas");
    sqlite3_busy_timeout(db, 30000);
    sqlite3_stmt *insert;
    check(db, sqlite3_prepare_v2(db,
        "INSERT INTO events (run_id, action_id, device, replica, stage, chunk, microbatch, op, start_ns, end_ns) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &insert, 0), SQLITE_OK, "prepare");

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", 0, 0, 0), SQLITE_OK, "begin");
    for (long device = 0; device < devices; device++) {
        for (long k = 0; k < perDevice; k++) {
            long id = device * perDevice + k;
            int forward = k < m;
            sqlite3_bind_int64(insert, 1, run);
            sqlite3_bind_int64(insert, 2, id);
            sqlite3_bind_int64(insert, 3, device);
            sqlite3_bind_int64(insert, 4, 0);
            sqlite3_bind_int64(insert, 5, device);
            sqlite3_bind_int64(insert, 6, 0);
            sqlite3_bind_int64(insert, 7, forward ? k : k - m);
            sqlite3_bind_text(insert, 8, forward ? "F" : "B", 1, SQLITE_STATIC);
            sqlite3_bind_int64(insert, 9, (sqlite3_int64)id * 1000);
            sqlite3_bind_int64(insert, 10, (sqlite3_int64)id * 1000 + 900);
            int rc = sqlite3_step(insert);
            sqlite3_reset(insert);
            check(db, rc, SQLITE_DONE, "insert");
        }
    }
    check(db, sqlite3_exec(db, "COMMIT", 0, 0, 0), SQLITE_OK, "commit");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("plain %ld %.6f\n", events, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return 0;
}
