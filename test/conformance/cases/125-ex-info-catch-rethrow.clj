(defn risky [n]
  (if (neg? n) (throw (ex-info "negative" {:n n})) (* n 2)))
(defn safe [n]
  (try (risky n)
       (catch Exception e {:error (ex-message e) :data (ex-data e)})))
(prn (safe 5))
(prn (safe -3))
(prn (try (try (risky -1) (catch Exception e (throw (ex-info "rethrown" {} e))))
          (catch Exception e2 [(ex-message e2) (ex-message (ex-cause e2)) (ex-data (ex-cause e2))])))
(prn (mapv safe [1 -1 2]))
