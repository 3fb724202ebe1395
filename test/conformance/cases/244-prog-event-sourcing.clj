(defn apply-event [state [type & args]]
  (case type
    :created (assoc state :items [] :status :open)
    :added (update state :items conj (first args))
    :removed (update state :items (fn [items] (vec (remove #{(first args)} items))))
    :closed (assoc state :status :closed)))
(def events [[:created] [:added :a] [:added :b] [:added :c] [:removed :b] [:closed]])
(prn (reduce apply-event {} events))
(doseq [s (reductions apply-event {} (take 3 events))] (prn s))
