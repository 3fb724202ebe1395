(defn t1 []
  (try
    (println "body")
    (throw (ex-info "x" {}))
    (catch Exception e (println "catch") :caught)
    (finally (println "finally"))))
(prn (t1))
(defn t2 []
  (try (println "body2") :ret
       (finally (println "finally2"))))
(prn (t2))
(prn (try
       (try (throw (ex-info "deep" {}))
            (finally (println "inner finally")))
       (catch Exception e (println "outer catch") (ex-message e))))
(def log (atom []))
(try (swap! log conj 1) (finally (swap! log conj 2)))
(prn @log)
