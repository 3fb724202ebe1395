(defn cfg [{:keys [host port] :or {host "localhost" port 80} :as opts}]
  [host port (count opts)])
(prn (cfg {}) (cfg {:port 8080}) (cfg {:host "h" :port 1 :x 2}))
(let [[a b & {:keys [c]}] [1 2 :c 3]] (prn a b c))
(let [{:keys [a b] :or {a :da b :db}} {:b nil}] (prn a b))
(let [[a :as v] []] (prn a v))
(let [{:as all} {:k 1}] (prn all))
(let [[[x] & {y :y}] [[5] :y 6]] (prn x y))
