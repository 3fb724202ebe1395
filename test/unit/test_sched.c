/* test_sched.c — processes, preemption, interrupts, stack overflow, GC
 * stress and VM independence, through the public API (grove.h). */
#include "grove.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int pass, fail;

static char *show(gv_vm *vm, const char *src, int *rc) {
    gv_val out;
    *rc = gv_eval(vm, src, strlen(src), "test_sched", 1, 1, &out);
    if (*rc != GV_OK) return gv_exception_report(vm, out);
    gv_print_opts o = {true, 50, 10};
    return gv_print_str(vm, out, &o, NULL);
}

static void expect(gv_vm *vm, const char *src, const char *want) {
    int rc;
    char *got = show(vm, src, &rc);
    if (rc == GV_OK && got && strcmp(got, want) == 0) pass++;
    else { fail++; printf("FAIL %s\n  want: %s\n  got:  %s\n", src, want, got ? got : "(null)"); }
    free(got);
}

static void expect_error(gv_vm *vm, const char *src, const char *needle) {
    int rc;
    char *got = show(vm, src, &rc);
    if (rc == GV_ERR && got && strstr(got, needle)) pass++;
    else { fail++; printf("FAIL (error) %s\n  want error containing: %s\n  got: %s\n", src, needle, got ? got : "(null)"); }
    free(got);
}

static long long num(gv_vm *vm, const char *src) {
    int rc;
    char *s = show(vm, src, &rc);
    long long v = (rc == GV_OK && s) ? atoll(s) : -1;
    free(s);
    return v;
}

static void *interrupter(void *arg) {
    struct timespec ts = {0, 150 * 1000 * 1000};
    nanosleep(&ts, NULL);
    gv_vm_interrupt(arg);
    return NULL;
}

int main(void) {
    gv_vm *vm = gv_vm_new();
    if (!vm) { puts("test_sched: 0 passed, 1 failed"); return 1; }

    /* two infinite loops make progress side by side, then are stopped */
    expect(vm, "(def a (atom 0)) (def b (atom 0))"
               "(def p1 (spawn (fn [] (loop [] (swap! a inc) (recur)))))"
               "(def p2 (spawn (fn [] (loop [] (swap! b inc) (recur)))))"
               "[(alive? p1) (alive? p2)]", "[true true]");
    for (int i = 0; i < 5; i++) gv_sched_step(vm, 20);
    long long a1 = num(vm, "@a"), b1 = num(vm, "@b");
    if (a1 > 1000 && b1 > 1000) pass++; else { fail++; printf("FAIL loops progress: a=%lld b=%lld\n", a1, b1); }
    for (int i = 0; i < 5; i++) gv_sched_step(vm, 20);
    long long a2 = num(vm, "@a"), b2 = num(vm, "@b");
    if (a2 > a1 && b2 > b1) pass++; else { fail++; printf("FAIL loops keep progressing: %lld->%lld %lld->%lld\n", a1, a2, b1, b2); }
    expect(vm, "(kill p1) (kill p2) (sleep 5) [(alive? p1) (alive? p2)]", "[false false]");
    long long a3 = num(vm, "@a");
    gv_sched_step(vm, 30);
    if (num(vm, "@a") == a3) pass++; else { fail++; puts("FAIL killed loop still runs"); }
    if (gv_sched_step(vm, 1) == 0) pass++; else { fail++; puts("FAIL processes left after kill"); }

    /* sleep yields; join returns the value; a failing process rethrows */
    expect(vm, "(let [t (spawn (fn [] (sleep 30) 42))] (join t))", "42");
    expect(vm, "(def order (atom []))"
               "(let [x (spawn (fn [] (sleep 20) (swap! order conj :slow)))"
               "      y (spawn (fn [] (swap! order conj :fast)))]"
               "  (join x) (join y) @order)", "[:fast :slow]");
    expect(vm, "(try (join (spawn (fn [] (throw (ex-info \"boom\" {}))))) (catch Exception e (ex-message e)))",
           "\"boom\"");

    /* an interrupt from another thread stops a runaway evaluation */
    pthread_t th;
    pthread_create(&th, NULL, interrupter, vm);
    expect_error(vm, "(loop [i 0] (recur (inc i)))", "Interrupted");
    pthread_join(th, NULL);
    /* catch does not swallow an interrupt, finally runs */
    pthread_create(&th, NULL, interrupter, vm);
    expect_error(vm, "(def fin (atom 0)) (try (loop [] (recur)) (catch Throwable e :caught) (finally (reset! fin 1)))",
                 "Interrupted");
    pthread_join(th, NULL);
    expect(vm, "@fin", "1");
    expect(vm, "(+ 1 2)", "3"); /* the VM keeps working */

    /* unbounded recursion is a catchable StackOverflowError */
    expect(vm, "(defn down [n] (+ 1 (down n))) (try (down 0) (catch StackOverflowError e :so))", ":so");
    expect(vm, "(defn down2 [n] (inc (down2 n))) (try (down2 0) (catch Throwable e (subs (ex-message e) 0 14)))",
           "\"stack overflow\"");

    /* deep but bounded recursion works */
    expect(vm, "(defn deep [n] (if (zero? n) 0 (inc (deep (dec n))))) (deep 10000)", "10000");

    /* two VMs are independent */
    gv_vm *vm2 = gv_vm_new();
    expect(vm, "(def only-here 1) only-here", "1");
    expect_error(vm2, "only-here", "Unable to resolve symbol: only-here");
    expect(vm2, "(def only-here 2) only-here", "2");
    expect(vm, "only-here", "1");
    gv_vm_destroy(&vm2);
    if (vm2 == NULL) pass++; else fail++;

    /* collection at every safe point keeps everything reachable alive */
    gv_vm_set_gc_stress(vm, true);
    expect(vm, "(loop [i 0 acc []] (if (< i 300) (recur (inc i) (conj acc (str i))) (count (apply str acc))))",
           "790");
    expect(vm, "(reduce + (map (fn [x] (* x x)) (filter odd? (range 200))))", "1333300");
    expect(vm, "(let [m (into {} (map (fn [i] [(keyword (str \"k\" i)) i]) (range 50)))] [(count m) (m :k49)])",
           "[50 49]");
    gv_vm_set_gc_stress(vm, false);

    gv_vm_destroy(&vm);
    printf("test_sched: %d passed, %d failed\n", pass, fail);
    return fail != 0;
}
