;; harness.clj — runs a grove benchmark program (bench/grove/NAME.clj) on
;; Clojure/JVM and times its workload inside the JVM with System/nanoTime.
;; Usage: clojure bench/jvm/harness.clj bench/grove/NAME.clj N
;; Loading the file defines `workload` and runs it once (the warm-up, its
;; printed line is captured and checked); then N timed runs follow.
;; Prints "result <value>" and "ms <t1> <t2> ...", like the other peers.

(let [[file n-arg] *command-line-args*
      n (if n-arg (Long/parseLong n-arg) 5)
      printed (with-out-str (load-file file))
      workload (ns-resolve 'user 'workload)
      runs (vec (for [_ (range n)]
                  (let [t0 (System/nanoTime)
                        r (workload)]
                    [r (/ (- (System/nanoTime) t0) 1e6)])))
      result (first (first runs))]
  (when-not (= (clojure.string/trim printed) (str result))
    (binding [*out* *err*]
      (println "harness: the program printed" (pr-str printed)
               "but (workload) returned" (pr-str result))))
  (println "result" result)
  (println (apply str "ms" (map #(format " %.3f" (second %)) runs))))
