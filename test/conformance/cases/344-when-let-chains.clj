(defn lookup [db id] (get db id))
(def db {1 {:name "n1" :parent 2} 2 {:name "n2" :parent 3} 3 {:name "n3"}})
(defn grandparent [id]
  (when-let [n (lookup db id)]
    (when-let [p (lookup db (:parent n))]
      (when-let [g (lookup db (:parent p))]
        (:name g)))))
(prn (grandparent 1) (grandparent 2) (grandparent 9))
(prn (some-> (lookup db 1) :parent (->> (lookup db)) :name))
(prn (if-let [{:keys [name]} (lookup db 3)] name :none))
