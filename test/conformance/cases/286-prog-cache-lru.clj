(defn lru-get [{:keys [data order] :as c} k]
  (if (contains? data k) [(data k) (assoc c :order (conj (vec (remove #{k} order)) k))] [nil c]))
(defn lru-put [{:keys [data order cap] :as c} k v]
  (let [order (conj (vec (remove #{k} order)) k)
        c (assoc c :data (assoc data k v) :order order)]
    (if (> (count order) cap)
      (-> c (update :data dissoc (first order)) (update :order subvec 1))
      c)))
(def c (-> {:data {} :order [] :cap 2} (lru-put :a 1) (lru-put :b 2)))
(let [[v c] (lru-get c :a) c (lru-put c :c 3)]
  (prn v (:order c) (:data c) (first (lru-get c :b))))
