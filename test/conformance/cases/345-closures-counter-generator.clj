(defn gen-ids [prefix]
  (let [n (atom 0)] (fn [] (str prefix (swap! n inc)))))
(def user-id (gen-ids "u"))
(def order-id (gen-ids "o"))
(prn (user-id) (user-id) (order-id) (user-id))
(defn memo-count [f]
  (let [seen (atom #{})] (fn [x] (swap! seen conj x) [(f x) (count @seen)])))
(def mc (memo-count inc))
(prn (mc 1) (mc 2) (mc 1))
